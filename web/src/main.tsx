import { render } from "preact";
import { App } from "./App";
import { setLocale, type Locale } from "./strings";
import "./styles.css";

const wanted = (new URLSearchParams(location.search).get("lang") ?? "en") as Locale;
setLocale(["en", "ru", "kk"].includes(wanted) ? wanted : "en");
render(<App />, document.getElementById("app")!);
