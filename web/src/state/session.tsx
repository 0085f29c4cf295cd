// Who is signed in, their preferences (language, currency) and the shop's
// public config. The session itself lives in HttpOnly cookies; this context
// only mirrors GET /api/auth/me so the UI can decide what to show.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Api } from "../api/endpoints";
import { isApiError } from "../api/client";
import type { Me, Preferences, ShopConfig } from "../api/types";
import { browserLocale } from "../lib/format";

export interface Session {
  api: Api;
  /** undefined while the first /me is in flight, null when signed out. */
  me: Me | null | undefined;
  preferences: Preferences | null;
  config: ShopConfig | null;
  locale: string;
  isStaff: boolean;
  reload: () => Promise<Me | null>;
  setPreferences: (p: Preferences) => void;
  logout: () => Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function SessionProvider({ api, children }: { api: Api; children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [config, setConfig] = useState<ShopConfig | null>(null);

  const reload = useCallback(async (): Promise<Me | null> => {
    try {
      const m = await api.auth.me();
      setMe(m);
      return m;
    } catch (e) {
      // 401 is the normal signed-out answer; anything else also means
      // "not known to be signed in", and pages show their own errors.
      if (!isApiError(e) || e.status !== 401) console.warn("GET /api/auth/me failed", e);
      setMe(null);
      return null;
    }
  }, [api]);

  useEffect(() => {
    void reload();
    api.config
      .get()
      .then(setConfig)
      // Without /api/config the sandbox form is the fallback; the server
      // refuses any method it does not offer, so nothing is paid by mistake.
      .catch(() => setConfig({ paymentMethods: ["sandbox"], paymentGateway: "sandbox" }));
  }, [api, reload]);

  useEffect(() => {
    if (!me) {
      setPreferences(null);
      return;
    }
    let live = true;
    api.clients
      .preferences()
      .then((p) => live && setPreferences(p))
      .catch(() => live && setPreferences(null));
    return () => {
      live = false;
    };
  }, [api, me]);

  const logout = useCallback(async () => {
    try {
      await api.auth.logout();
    } finally {
      setMe(null);
    }
  }, [api]);

  const value = useMemo<Session>(
    () => ({
      api,
      me,
      preferences,
      config,
      locale: preferences?.language || browserLocale(),
      isStaff: !!me?.roles?.some((r) => r === "support" || r === "admin"),
      reload,
      setPreferences,
      logout,
    }),
    [api, me, preferences, config, reload, logout],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}
