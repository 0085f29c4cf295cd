import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";
import type { Address, CheckoutRequest, SavedAddress } from "../api/types";
import { Field } from "../components/Field";
import { Price } from "../components/Price";
import { Empty, ErrorView, FormError, Loading } from "../components/Status";
import { useIdempotencyKey } from "../lib/id";
import { useLoad } from "../lib/useLoad";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

const StripePayment = lazy(() => import("../components/StripePayment").then((m) => ({ default: m.StripePayment })));

const EMPTY_ADDRESS: Address = { name: "", line1: "", line2: "", city: "", postalCode: "", country: "" };

export const TEST_CARDS = [
  { number: "4242 4242 4242 4242", label: "succeeds" },
  { number: "4000 0000 0000 0002", label: "is declined" },
  { number: "4000 0000 0000 9995", label: "has insufficient funds" },
];

function pickDefault(addresses: SavedAddress[]): SavedAddress | undefined {
  return addresses.find((a) => a.default) ?? addresses[0];
}

function strip(a: SavedAddress | Address): Address {
  return {
    name: a.name ?? "",
    line1: a.line1 ?? "",
    line2: a.line2 ?? "",
    city: a.city ?? "",
    postalCode: a.postalCode ?? "",
    country: a.country ?? "",
  };
}

/** Loose client-side check only; the server validates (Luhn, test numbers). */
export function cardLooksValid(n: string): boolean {
  return /^\d{12,19}$/.test(n.replace(/[\s-]/g, ""));
}

export function CheckoutPage() {
  const { api, me, config } = useSession();
  const basket = useBasket();
  const navigate = useNavigate();
  const keyFor = useIdempotencyKey();
  const profile = useLoad(() => api.clients.profile(), [api, me?.id]);
  const [addressId, setAddressId] = useState<string>("");
  const [address, setAddress] = useState<Address>(EMPTY_ADDRESS);
  const [card, setCard] = useState("");
  const [cardError, setCardError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [stripeStep, setStripeStep] = useState<{ orderId: string; clientSecret: string } | null>(null);
  const prefilled = useRef(false);

  // Prefill from the profile's default address once, or the account name.
  useEffect(() => {
    if (prefilled.current) return;
    if (profile.status === "ok") {
      prefilled.current = true;
      const d = pickDefault(profile.data.addresses ?? []);
      if (d) {
        setAddressId(d.id);
        setAddress(strip(d));
      } else {
        setAddress((a) => ({ ...a, name: profile.data.name || me?.name || "" }));
      }
    } else if (profile.status === "error") {
      prefilled.current = true;
      setAddress((a) => ({ ...a, name: me?.name ?? "" }));
    }
  }, [profile, me]);

  // Offer only what the shop accepts: the server refuses any other method.
  const gateway = config?.paymentMethods?.[0] ?? config?.paymentGateway ?? "sandbox";
  const stripeKey = gateway === "stripe" ? config?.stripePublishableKey : undefined;
  const method: "sandbox" | "stripe" | "paypal" = stripeKey ? "stripe" : gateway === "paypal" ? "paypal" : "sandbox";

  if (!config) return <Loading label="Loading checkout…" />;
  if (basket.loading && !basket.basket) return <Loading label="Loading your basket…" />;
  if (stripeStep && stripeKey) {
    return (
      <section className="narrow-page">
        <h1>Payment</h1>
        <p>Your order is reserved. Enter your card details to pay.</p>
        <Suspense fallback={<Loading label="Loading the payment form…" />}>
          <StripePayment
            publishableKey={stripeKey}
            clientSecret={stripeStep.clientSecret}
            onConfirmed={() => navigate(`/orders/${encodeURIComponent(stripeStep.orderId)}?placed=1`)}
          />
        </Suspense>
      </section>
    );
  }
  const lines = basket.basket?.lines ?? [];
  if (lines.length === 0)
    return (
      <>
        <h1>Checkout</h1>
        {basket.error != null && <ErrorView error={basket.error} onRetry={basket.reload} />}
        <Empty>
          <p>Your basket is empty.</p>
          <Link to="/">Browse the shop</Link>
        </Empty>
      </>
    );

  const chooseSaved = (id: string) => {
    setAddressId(id);
    const a = profile.data?.addresses?.find((x) => x.id === id);
    if (a) setAddress(strip(a));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (method === "sandbox" && !cardLooksValid(card)) {
      setCardError("Enter a card number of 12 to 19 digits, e.g. a test card below.");
      return;
    }
    setCardError(null);
    const body: CheckoutRequest = {
      shippingAddress: { ...address },
      payment: method === "sandbox" ? { method, cardNumber: card.trim() } : { method },
    };
    setBusy(true);
    try {
      const res = await api.basket.checkout(body, keyFor(body));
      if (!res?.orderId) throw new Error("The shop accepted the order but did not return its id.");
      basket.clearLocal();
      if (method === "stripe") {
        const secret = res.clientSecret ?? (await waitForClientSecret(res.orderId));
        if (secret) {
          setStripeStep({ orderId: res.orderId, clientSecret: secret });
          return;
        }
      }
      navigate(`/orders/${encodeURIComponent(res.orderId)}?placed=1`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // The PaymentIntent is created by the payment service after the order is
  // placed, so its secret may take a moment to appear on the payment.
  const waitForClientSecret = async (orderId: string): Promise<string | null> => {
    for (let i = 0; i < 20; i++) {
      const payments = await api.payments.forOrder(orderId).catch(() => []);
      const waiting = payments.find((p) => p.status === "action_required");
      if (waiting) {
        const s = await api.payments.clientSecret(waiting.paymentId).catch(() => "");
        if (s) return s;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    return null;
  };

  const set = (k: keyof Address) => (e: { target: { value: string } }) => {
    setAddressId("");
    setAddress({ ...address, [k]: e.target.value });
  };
  const saved = profile.data?.addresses ?? [];

  return (
    <>
      <h1>Checkout</h1>
      <div className="checkout-layout">
        <form onSubmit={submit} noValidate className="checkout-form" aria-label="Checkout">
          <FormError
            error={error}
            shownFields={["cardNumber", "payment.cardNumber", ...Object.keys(EMPTY_ADDRESS).map((k) => `shippingAddress.${k}`)]}
          />
          <fieldset>
            <legend>Shipping address</legend>
            {profile.status === "loading" && <Loading label="Loading your saved addresses…" />}
            {saved.length > 0 && (
              <div className="field">
                <label htmlFor="saved-address">Saved address</label>
                <select id="saved-address" value={addressId} onChange={(e) => chooseSaved(e.target.value)}>
                  <option value="">Enter a new address</option>
                  {saved.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.label || a.line1}, {a.city}
                      {a.default ? " (default)" : ""}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <Field label="Full name" name="shippingAddress.name" autoComplete="name" required value={address.name}
              error={error} onChange={set("name")} />
            <Field label="Address line 1" name="shippingAddress.line1" autoComplete="address-line1" required
              value={address.line1} error={error} onChange={set("line1")} />
            <Field label="Address line 2 (optional)" name="shippingAddress.line2" autoComplete="address-line2"
              value={address.line2} error={error} onChange={set("line2")} />
            <div className="row">
              <Field label="Postal code" name="shippingAddress.postalCode" autoComplete="postal-code" required
                value={address.postalCode} error={error} onChange={set("postalCode")} />
              <Field label="City" name="shippingAddress.city" autoComplete="address-level2" required value={address.city}
                error={error} onChange={set("city")} />
            </div>
            <Field label="Country (2-letter code)" name="shippingAddress.country" autoComplete="country" required
              maxLength={2} value={address.country} error={error}
              onChange={(e) => set("country")({ target: { value: e.target.value.toUpperCase() } })} />
          </fieldset>
          <fieldset>
            <legend>Payment</legend>
            {method === "sandbox" && (
              <>
                <Field label="Card number" name="payment.cardNumber" inputMode="numeric" autoComplete="cc-number"
                  required value={card} error={error} onChange={(e) => setCard(e.target.value)}
                  hint="Sandbox: no real money moves." />
                {cardError && (
                  <p className="field-error" role="alert">
                    {cardError}
                  </p>
                )}
                <details>
                  <summary>Test cards</summary>
                  <ul>
                    {TEST_CARDS.map((c) => (
                      <li key={c.number}>
                        <code>{c.number}</code> {c.label}
                      </li>
                    ))}
                  </ul>
                </details>
              </>
            )}
            {method === "stripe" && <p>You will enter your card in Stripe's secure form after placing the order.</p>}
            {method === "paypal" && <p>You will pay with PayPal after placing the order.</p>}
          </fieldset>
          <button type="submit" className="primary" disabled={busy || basket.busy}>
            {busy ? "Placing your order…" : "Place order"}
          </button>
        </form>
        <aside className="summary" aria-labelledby="summary-h">
          <h2 id="summary-h">Order summary</h2>
          <ul className="plain">
            {lines.map((l) => (
              <li key={l.sku}>
                {l.quantity} × {l.name} — <Price value={l.lineTotal} />
              </li>
            ))}
          </ul>
          <p className="big">
            Total <Price value={basket.basket?.total} />
          </p>
        </aside>
      </div>
    </>
  );
}
