/**
 * The viewer's script: reads which page the server sent (`data-page` and `data-id` on #app) and
 * draws it. Every page asks the JSON API itself; links between pages are ordinary page loads.
 */
import "@sabaki/shudan/css/goban.css";
import "./style.css";
import { render } from "preact";
import { Layout, type PageName } from "./common.js";
import { DashboardPage } from "./dashboard.js";
import { GamePage } from "./game.js";
import { GamesPage } from "./games.js";
import { LadderPage } from "./ladder.js";

/**
 * The tab's icon, a black stone, given before the page finishes loading so the browser does not
 * ask for /favicon.ico (a 404 the console would report as an error).
 */
function setIcon(): void {
  if (document.querySelector('link[rel~="icon"]') !== null) return;
  const link = document.createElement("link");
  link.rel = "icon";
  link.href = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#222"/></svg>')}`;
  document.head.append(link);
}

setIcon();
const root = document.getElementById("app");
if (root !== null) {
  const page = root.dataset.page ?? "dashboard";
  const id = root.dataset.id ?? "";
  const known: Record<string, PageName> = { dashboard: "dashboard", ladder: "ladder", games: "games", game: "game" };
  const name = known[page];
  if (name === undefined) {
    render(
      <Layout page="dashboard">
        <p class="error">This page ({page}) is unknown to the viewer's script.</p>
      </Layout>,
      root,
    );
  } else {
    render(
      <Layout page={name}>
        {name === "dashboard" && <DashboardPage />}
        {name === "ladder" && <LadderPage />}
        {name === "games" && <GamesPage />}
        {name === "game" && <GamePage id={id} />}
      </Layout>,
      root,
    );
  }
}
