// The basket with optimistic concurrency: every write carries the ETag of the
// basket it was based on (If-Match). A 412 means another tab or device changed
// it first, so we reload and tell the customer instead of overwriting.
// The basket's estimate (tax, shipping, discount) is priced for the
// destination and shipping method in `estimateFor`; every read and write
// asks for it.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { isApiError } from "../api/client";
import type { Basket, EstimateQuery } from "../api/types";
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
  /** Puts a discount code in; a refusal throws the ApiError (members.reason says why). */
  applyDiscount: (code: string) => Promise<boolean>;
  removeDiscount: () => Promise<boolean>;
  /** The destination and shipping method the estimate is priced for. */
  estimateFor: EstimateQuery;
  /** Prices the estimate for q (reloads the basket; a refused one throws). */
  setEstimateFor: (q: EstimateQuery) => Promise<void>;
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
  const [estimateFor, setEstimateQuery] = useState<EstimateQuery>({});

  const apply = useCallback((r: Versioned<Basket>) => {
    setBasket(r.value);
    setEtag(r.etag);
    setError(null);
  }, []);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      apply(await api.basket.get(estimateFor));
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [api, apply, estimateFor]);

  const setEstimateFor = useCallback(
    async (q: EstimateQuery) => {
      // Asked first: a destination or method the shop cannot price is
      // refused (422) and the estimate stays as it was.
      apply(await api.basket.get(q));
      setEstimateQuery(q);
    },
    [api, apply],
  );

  // The basket follows the session: a guest basket before login, the merged
  // customer basket after it.
  const userId = me === undefined ? undefined : (me?.id ?? null);
  useEffect(() => {
    if (userId === undefined) return;
    void reload();
    // The estimate's destination changes through setEstimateFor, which reads
    // the basket itself.
  }, [userId]);

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
      add: (sku, q) => write((t) => api.basket.add(sku, q, t, estimateFor)),
      setQuantity: (sku, q) => write((t) => api.basket.setQuantity(sku, q, t, estimateFor)),
      remove: (sku) => write((t) => api.basket.remove(sku, t, estimateFor)),
      applyDiscount: (code) => write((t) => api.basket.applyDiscount(code, t, estimateFor)),
      removeDiscount: () => write((t) => api.basket.removeDiscount(t, estimateFor)),
      estimateFor,
      setEstimateFor,
      dismissNotice: () => setNotice(null),
      clearLocal: () => setBasket((b) => (b ? { ...b, lines: [], total: null, discount: null, estimate: null } : b)),
    }),
    [basket, loading, error, notice, busy, reload, write, api, estimateFor, setEstimateFor],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useBasket(): BasketState {
  const b = useContext(Ctx);
  if (!b) throw new Error("useBasket outside BasketProvider");
  return b;
}
