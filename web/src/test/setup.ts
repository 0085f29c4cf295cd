import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy… and waitFor give up after 1 s by default: on a loaded 2-core CI
// machine a page's fetch, state update and render took longer than that
// (BasketPage's quantity change failed at 1.1 s). A wait still ends as soon
// as its condition holds; this only bounds how long a broken page is waited
// for, well inside the test timeout (vite.config.ts).
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
