// The basket with optimistic concurrency: every write carries the ETag of the
// basket it was based on (If-Match). A 412 means another tab or device changed
// it first, so we reload and tell the customer instead of overwriting.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { isApiError } from "../api/client";
import type { Basket } from "../api/types";
import type { Versioned } from "../api/endpoints";
import { useSession } from "./session";

export interface BasketState {
  basket: Basket | null;
  loading: boolean;
  error: unknown;
  notice: string | null;
  busy: boolean;
  /** False until the first read answered, so the first write has an ETag to send. */
  ready: boolean;
  count: number;
  reload: () => Promise<void>;
  add: (sku: string, quantity: number) => Promise<boolean>;
  setQuantity: (sku: string, quantity: number) => Promise<boolean>;
  remove: (sku: string) => Promise<boolean>;
  dismissNotice: () => void;
  /** After checkout the server cleared the basket; mirror that without a round trip. */
  clearLocal: () => void;
}

export const STALE_NOTICE =
  "Your basket was changed somewhere else (another tab or device). We reloaded it — please check it and try again.";

const Ctx = createContext<BasketState | null>(null);

export function BasketProvider({ children }: { children: ReactNode }) {
  const { api, me } = useSession();
  const [basket, setBasket] = useState<Basket | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const apply = useCallback((r: Versioned<Basket>) => {
    setBasket(r.value);
    setEtag(r.etag);
    setError(null);
  }, []);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      apply(await api.basket.get());
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [api, apply]);

  // The basket follows the session: a guest basket before login, the merged
  // customer basket after it.
  const userId = me === undefined ? undefined : (me?.id ?? null);
  useEffect(() => {
    if (userId === undefined) return;
    void reload();
  }, [userId, reload]);

  const write = useCallback(
    async (op: (etag: string | null) => Promise<Versioned<Basket>>): Promise<boolean> => {
      setBusy(true);
      setNotice(null);
      try {
        apply(await op(etag));
        return true;
      } catch (e) {
        if (isApiError(e) && e.status === 412) {
          setNotice(STALE_NOTICE);
          await reload();
          return false;
        }
        throw e;
      } finally {
        setBusy(false);
      }
    },
    [etag, apply, reload],
  );

  const value = useMemo<BasketState>(
    () => ({
      basket,
      loading,
      error,
      notice,
      busy,
      ready: !loading || basket !== null,
      count: basket?.lines.reduce((n, l) => n + l.quantity, 0) ?? 0,
      reload,
      add: (sku, q) => write((t) => api.basket.add(sku, q, t)),
      setQuantity: (sku, q) => write((t) => api.basket.setQuantity(sku, q, t)),
      remove: (sku) => write((t) => api.basket.remove(sku, t)),
      dismissNotice: () => setNotice(null),
      clearLocal: () => setBasket((b) => (b ? { ...b, lines: [], total: null } : b)),
    }),
    [basket, loading, error, notice, busy, reload, write, api],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useBasket(): BasketState {
  const b = useContext(Ctx);
  if (!b) throw new Error("useBasket outside BasketProvider");
  return b;
}
