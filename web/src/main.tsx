import { render } from "preact";
import { App } from "./App";
import { setLocale, startLocale } from "./strings";
import "./styles.css";

setLocale(startLocale());
render(<App />, document.getElementById("app")!);
