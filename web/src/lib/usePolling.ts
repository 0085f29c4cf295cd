import { useEffect, useRef, useState } from "react";

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

/**
 * Reads now and then every intervalMs until done(data) says the value can no
 * longer change. Errors keep the last good value and keep polling, so a
 * short gateway hiccup does not blank the page. Pauses while the tab is hidden.
 * After a read that answered, the next starts at once when immediate() says
 * so (fn's reads are held by the shop until something changes); after an
 * error it always waits intervalMs.
 */
export function usePolling<T>(
  /** signal is aborted when the hook stops (unmount, key or restart change). */
  fn: (signal: AbortSignal) => Promise<T>,
  key: string,
  intervalMs: number,
  done: (data: T) => boolean,
  /** Changing this restarts polling but keeps the data shown (no flicker). */
  restart?: unknown,
  immediate?: () => boolean,
): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: null, loading: true });
  const fnRef = useRef(fn);
  const doneRef = useRef(done);
  const immediateRef = useRef(immediate);
  fnRef.current = fn;
  doneRef.current = done;
  immediateRef.current = immediate;

  useEffect(() => {
    setState({ data: undefined, error: null, loading: true });
  }, [key]);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A read the shop holds for seconds must not outlive the page: it would
    // keep one of the browser's few connections to the shop busy.
    const stop = new AbortController();

    const tick = async () => {
      if (!live) return;
      if (typeof document !== "undefined" && document.hidden) {
        timer = setTimeout(tick, intervalMs);
        return;
      }
      let finished = false;
      let pause = intervalMs;
      try {
        const data = await fnRef.current(stop.signal);
        if (!live) return;
        finished = doneRef.current(data);
        setState({ data, error: null, loading: false });
        if (immediateRef.current?.()) pause = 0;
      } catch (error) {
        if (!live) return;
        setState((s) => ({ ...s, error, loading: false }));
      }
      if (live && !finished) timer = setTimeout(tick, pause);
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
      stop.abort();
    };
  }, [key, intervalMs, restart]);

  return state;
}
