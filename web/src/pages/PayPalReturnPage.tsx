// Where PayPal sends the buyer back: /checkout/paypal/return?token=…&PayerID=…
// after approving, /checkout/paypal/cancel?token=… after cancelling. The page
// tells the shop (which authorizes, or cancels the order and releases its
// stock) and then shows the order, whose page follows it to Paid or
// Cancelled. Both calls are idempotent, so a reload is harmless.

import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { ErrorView, Loading } from "../components/Status";
import { guestOrder } from "../components/PayPalApproval";
import { useSession } from "../state/session";

export function PayPalReturnPage({ outcome }: { outcome: "approved" | "cancelled" }) {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const { api, me } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    const call = outcome === "approved" ? api.payments.paypalReturn : api.payments.paypalCancel;
    // A guest has no session: the order token kept before leaving for PayPal
    // proves the order is theirs, and opens its page afterwards.
    const guest = me ? undefined : guestOrder();
    call(token, guest?.orderToken).then(
      (r) => {
        const link = guest && guest.orderId === r.orderId ? `&token=${encodeURIComponent(guest.orderToken)}` : "";
        navigate(`/orders/${encodeURIComponent(r.orderId)}?placed=1${link}`, { replace: true });
      },
      (e: unknown) => setError(e),
    );
  }, [api, me, navigate, outcome, token]);

  const title = outcome === "approved" ? "Back from PayPal" : "Payment cancelled at PayPal";
  if (!token || error != null) {
    return (
      <>
        <h1>{title}</h1>
        {token ? (
          <ErrorView what="Your PayPal payment" error={error} />
        ) : (
          <p role="alert">This link is missing its PayPal reference.</p>
        )}
        <p>
          <Link to="/orders">See my orders</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>{title}</h1>
      <Loading label={outcome === "approved" ? "Confirming your payment…" : "Cancelling your order…"} />
    </>
  );
}
