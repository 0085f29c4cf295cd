import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { ApiClient } from "./api/client";
import { createApi } from "./api/endpoints";
import { App } from "./App";
import "./styles.css";

const api = createApi(new ApiClient());

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter>
      <App api={api} />
    </BrowserRouter>
  </StrictMode>,
);
