import { render } from "preact";
import { App } from "./app";
import "./styles.css";

render(<App />, document.getElementById("app")!);

if ("serviceWorker" in navigator) {
  // Relative to the page (/m/), so the worker's scope is the app and nothing else on the origin.
  void navigator.serviceWorker.register("./sw.js", { scope: "./" });
}
