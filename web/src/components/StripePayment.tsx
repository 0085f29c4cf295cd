// Stripe mode: card data never touches our servers. The backend creates a
// PaymentIntent (capture_method=manual) for the order and hands its client
// secret to the owner; the Payment Element collects and confirms the card.
// Stripe.js is loaded lazily so sandbox shops never contact Stripe.

import { useEffect, useRef, useState } from "react";
import type { Stripe, StripeElements } from "@stripe/stripe-js";

export function StripePayment({
  publishableKey,
  clientSecret,
  onConfirmed,
}: {
  publishableKey: string;
  clientSecret: string;
  onConfirmed: () => void;
}) {
  const mountRef = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<Stripe | null>(null);
  const [elements, setElements] = useState<StripeElements | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const { loadStripe } = await import("@stripe/stripe-js/pure");
        const s = await loadStripe(publishableKey);
        if (!live) return;
        if (!s) throw new Error("Stripe.js did not load.");
        const els = s.elements({ clientSecret });
        els.create("payment").mount(mountRef.current!);
        setStripe(s);
        setElements(els);
      } catch (e) {
        if (live) setError(e instanceof Error ? e.message : "Stripe.js did not load.");
      }
    })();
    return () => {
      live = false;
    };
  }, [publishableKey, clientSecret]);

  const pay = async () => {
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    const result = await stripe.confirmPayment({
      elements,
      redirect: "if_required",
      confirmParams: { return_url: window.location.href },
    });
    setBusy(false);
    if (result.error) setError(result.error.message ?? "The payment was not accepted.");
    else onConfirmed();
  };

  return (
    <div className="stripe-payment">
      <div ref={mountRef} />
      {!elements && !error && <p role="status">Loading the secure payment form…</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="button" className="primary" onClick={pay} disabled={!elements || busy}>
        {busy ? "Paying…" : "Pay now"}
      </button>
    </div>
  );
}
