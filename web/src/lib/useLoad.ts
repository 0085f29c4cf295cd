import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export type Load<T> =
  | { status: "loading"; data?: T; error?: undefined }
  | { status: "ok"; data: T; error?: undefined }
  | { status: "error"; data?: T; error: unknown };

/**
 * Runs an async read when deps change and exposes loading / data / error.
 * Answers that arrive after a newer request started are dropped, so quick
 * filter changes cannot show stale results.
 */
export function useLoad<T>(fn: () => Promise<T>, deps: DependencyList): Load<T> & { reload: () => void } {
  const [state, setState] = useState<Load<T>>({ status: "loading" });
  const seq = useRef(0);
  const run = useCallback(fn, deps);

  const load = useCallback(() => {
    const my = ++seq.current;
    setState((s) => ({ status: "loading", data: s.data }));
    run().then(
      (data) => my === seq.current && setState({ status: "ok", data }),
      (error: unknown) => my === seq.current && setState((s) => ({ status: "error", error, data: s.data })),
    );
  }, [run]);

  useEffect(() => {
    load();
    return () => {
      seq.current++;
    };
  }, [load]);

  return { ...state, reload: load };
}
