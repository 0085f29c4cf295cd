import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { isApiError } from "../api/client";
import { Link, useNavigate } from "react-router-dom";
import type { Address, ChangedLine, CheckoutRequest, SavedAddress } from "../api/types";
import { Field } from "../components/Field";
import { Price } from "../components/Price";
import { PriceBreakdown } from "../components/PriceBreakdown";
import { Empty, ErrorView, FormError, Loading } from "../components/Status";
import { changedLines, refusalMessage } from "../lib/checkout";
import { useIdempotencyKey } from "../lib/id";
import { useLoad } from "../lib/useLoad";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

const StripePayment = lazy(() => import("../components/StripePayment").then((m) => ({ default: m.StripePayment })));

const EMPTY_ADDRESS: Address = { name: "", line1: "", line2: "", city: "", postalCode: "", country: "" };

export type PayMethod = "sandbox" | "stripe" | "paypal";

const PAY_METHOD_NAMES: Record<PayMethod, string> = {
  sandbox: "Card (sandbox)",
  stripe: "Card",
  paypal: "PayPal",
};

const TEST_CARDS = [
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
  // Guests have no profile: they type the address and an email.
  const profile = useLoad(
    () =>
      me === undefined
        ? new Promise<never>(() => {}) // the session is still being read
        : me
          ? api.clients.profile()
          : Promise.reject(new Error("a guest has no saved addresses")),
    [api, me === undefined ? undefined : (me?.id ?? null)],
  );
  const [email, setEmail] = useState("");
  const [vatId, setVatId] = useState("");
  const [shippingMethod, setShippingMethod] = useState("");
  const [changed, setChanged] = useState<ChangedLine[] | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [addressId, setAddressId] = useState<string>("");
  const [address, setAddress] = useState<Address>(EMPTY_ADDRESS);
  const [card, setCard] = useState("");
  const [cardError, setCardError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [payChoice, setPayChoice] = useState("");
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

  // The estimate follows the address's country and the chosen method, so the
  // summary shows what the order will charge and which methods serve it.
  const country = /^[A-Z]{2}$/.test(address.country) ? address.country : "";
  const { estimateFor, setEstimateFor } = basket;
  useEffect(() => {
    if (!country) return;
    if (estimateFor.country === country && (estimateFor.shippingMethod ?? "") === shippingMethod) return;
    setEstimateFor({ country, shippingMethod: shippingMethod || undefined }).catch(() => {
      // A method that does not serve the new country: choose again.
      if (shippingMethod) setShippingMethod("");
    });
  }, [country, shippingMethod, estimateFor, setEstimateFor]);

  // Offer only what the shop accepts: the server refuses any other method.
  // Stripe needs its publishable key in the browser; without one it is not offered.
  const offered = (config?.paymentMethods ?? [config?.paymentGateway ?? "sandbox"]).filter(
    (m): m is PayMethod => m === "sandbox" || m === "paypal" || (m === "stripe" && !!config?.stripePublishableKey),
  );
  const method: PayMethod = offered.includes(payChoice as PayMethod) ? (payChoice as PayMethod) : (offered[0] ?? "sandbox");
  const stripeKey = method === "stripe" ? config?.stripePublishableKey : undefined;

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
    setChanged(null);
    setRefusal(null);
    const body: CheckoutRequest = {
      shippingAddress: { ...address },
      payment: method === "sandbox" ? { method, cardNumber: card.trim() } : { method },
    };
    if (!me) body.email = email.trim();
    if (shippingMethod) body.shippingMethod = shippingMethod;
    if (vatId.trim()) body.vatId = vatId.trim();
    setBusy(true);
    try {
      const res = await api.basket.checkout(body, keyFor(body));
      if (!res?.orderId) throw new Error("The shop accepted the order but did not return its id.");
      basket.clearLocal();
      if (res.statusUrl) {
        // A guest: the signed status link is the only way back to the order.
        navigate(`${res.statusUrl}&placed=1`);
        return;
      }
      if (method === "stripe") {
        const secret = res.clientSecret ?? (await waitForClientSecret(res.orderId));
        if (secret) {
          setStripeStep({ orderId: res.orderId, clientSecret: secret });
          return;
        }
      }
      navigate(`/orders/${encodeURIComponent(res.orderId)}?placed=1`);
    } catch (err) {
      const lines = changedLines(err);
      const why = refusalMessage(err);
      if (lines) {
        // The basket now holds the new prices: show them and let the buyer confirm.
        setChanged(lines);
        await basket.reload();
      } else if (why) {
        setRefusal(why);
      } else {
        setError(err);
      }
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

  const estimate = basket.basket?.estimate;
  const needsMethod = !!estimate && estimate.shippingMethods.length > 0;

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
            shownFields={["cardNumber", "payment.cardNumber", "email", "vatId", "shippingMethod",
              ...Object.keys(EMPTY_ADDRESS).map((k) => `shippingAddress.${k}`)]}
          />
          {changed && (
            <div className="notice" role="alert" data-testid="changed-prices">
              <p>
                <strong>Some prices changed since you added these items.</strong> Your basket now holds the current
                prices; place the order again to accept them.
              </p>
              <ul>
                {changed.map((l) => (
                  <li key={l.sku}>
                    {l.name}: <Price value={l.oldUnitPrice} /> →{" "}
                    {l.removed || !l.newUnitPrice ? "no longer available (removed)" : <Price value={l.newUnitPrice} />}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {refusal && (
            <div className="notice" role="alert" data-testid="discount-refused">
              <p>
                {refusal} <Link to="/basket">Change the code in your basket.</Link>
              </p>
            </div>
          )}
          {!me && (
            <fieldset>
              <legend>Contact</legend>
              <Field label="Email" name="email" type="email" autoComplete="email" required value={email} error={error}
                onChange={(e) => setEmail(e.target.value)}
                hint="We send the confirmation and a link to follow your order here. No account needed." />
              <p className="muted">
                Have an account? <Link to="/login?next=%2Fcheckout">Sign in</Link>
              </p>
            </fieldset>
          )}
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
          {estimate && estimate.shippingMethods.length > 0 && (
            <fieldset>
              <legend>Shipping method</legend>
              {estimate.shippingMethods.map((m) => (
                <label key={m.id} className="radio">
                  <input type="radio" name="shippingMethod" value={m.id} checked={shippingMethod === m.id}
                    onChange={() => setShippingMethod(m.id)} />{" "}
                  {m.name} — {m.price.amount === 0 ? "free" : <Price value={m.price} />}
                </label>
              ))}
              {isApiError(error) && error.fieldError("shippingMethod") && (
                <p className="field-error" role="alert">
                  {error.fieldError("shippingMethod")}
                </p>
              )}
            </fieldset>
          )}
          <fieldset>
            <legend>Business customers</legend>
            <Field label="VAT ID (optional)" name="vatId" autoComplete="off" value={vatId} error={error}
              onChange={(e) => setVatId(e.target.value)} hint="Printed on your invoice, e.g. DE123456789." />
          </fieldset>
          <fieldset>
            <legend>Payment</legend>
            {offered.length > 1 && (
              <div role="radiogroup" aria-label="Payment method">
                {offered.map((m) => (
                  <label key={m} className="radio">
                    <input type="radio" name="payment.method" value={m} checked={method === m}
                      onChange={() => setPayChoice(m)} />{" "}
                    {PAY_METHOD_NAMES[m]}
                  </label>
                ))}
              </div>
            )}
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
          <button type="submit" className="primary" disabled={busy || basket.busy || (needsMethod && !shippingMethod)}>
            {busy ? "Placing your order…" : changed ? "Place order at the new prices" : "Place order"}
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
          {estimate ? (
            <>
              <PriceBreakdown breakdown={estimate.breakdown} />
              {!estimate.shippingMethod && needsMethod && <p className="muted">Shipping is added once you choose a method.</p>}
            </>
          ) : (
            <p className="big">
              Total <Price value={basket.basket?.total} />
            </p>
          )}
        </aside>
      </div>
    </>
  );
}
