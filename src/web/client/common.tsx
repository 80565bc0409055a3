/**
 * What every page shares: the navigation bar, the error message box, the page title and the
 * `data-ready` mark the tests wait for.
 */
import type { ComponentChildren } from "preact";

/** The pages of the navigation bar. */
export type PageName = "dashboard" | "ladder" | "games" | "game";

/** The navigation bar: Runs · Ladder · Games, the current one marked. */
export function Nav({ page }: { page: PageName }) {
  const links: [PageName, string, string][] = [
    ["dashboard", "/", "Runs"],
    ["ladder", "/ladder", "Ladder"],
    ["games", "/games", "Games"],
  ];
  return (
    <nav class="nav">
      <a class="brand" href="/">
        fossil
      </a>
      {links.map(([name, href, label]) => (
        <a key={name} href={href} class={name === page || (page === "game" && name === "games") ? "current" : undefined} aria-current={name === page ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

/** A page: the navigation bar above its content. */
export function Layout({ page, children }: { page: PageName; children: ComponentChildren }) {
  return (
    <>
      <Nav page={page} />
      <main class="content">{children}</main>
    </>
  );
}

/** An error to show where the data would have been. */
export function ErrorMessage({ message }: { message: string | null }) {
  return message === null ? null : (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** Sets the tab's title: "fossil · Ladder". */
export function setTitle(what: string): void {
  document.title = `fossil · ${what}`;
}

/** Marks the page as drawn (`data-ready="1"` on #app) once its first data has been rendered. */
export function markReady(): void {
  document.getElementById("app")?.setAttribute("data-ready", "1");
}

/** The page's query string (the filters). */
export function pageQuery(): URLSearchParams {
  return new URLSearchParams(location.search);
}

/**
 * Navigates to `path` with the non-empty fields of a GET form only (a plain GET form would put
 * every empty field in the address too).
 */
export function submitWithoutEmptyFields(event: Event, path: string): void {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const query = new URLSearchParams();
  for (const [key, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value.trim() !== "") query.set(key, value.trim());
  }
  const text = query.toString();
  location.assign(text === "" ? path : `${path}?${text}`);
}
