// PayPal: once the checkout has created the PayPal order, the buyer approves
// it at PayPal. The order page hands this component the payments it polls;
// for a PayPal payment waiting for approval it reads the approval link (the
// API asks PayPal each time; the link is never stored) and sends the buyer
// there, once per payment and browser tab, so coming back with the Back
// button does not bounce the buyer to PayPal again; the button stays.

import { useEffect, useState } from "react";
import { isApiError } from "../api/client";
import type { Payment } from "../api/types";
import { useSession } from "../state/session";

/** The order's PayPal payment that waits for the buyer's approval, if any. */
export function waitingForPayPal(payments: Payment[] | undefined): Payment | undefined {
  return payments?.find((p) => p.method === "paypal" && p.status === "action_required");
}

const SENT_KEY = "evshop.paypal.sent.";

function alreadySent(paymentId: string): boolean {
  try {
    return sessionStorage.getItem(SENT_KEY + paymentId) === "1";
  } catch {
    return false;
  }
}

function markSent(paymentId: string) {
  try {
    sessionStorage.setItem(SENT_KEY + paymentId, "1");
  } catch {
    // private mode: the buyer may be sent once more, which is harmless
  }
}

/** Where a guest's order token waits while the buyer is at PayPal: the
 * return page needs it to prove the order is theirs, and to show the order. */
export const GUEST_ORDER_KEY = "evshop.paypal.guestOrder";

export function rememberGuestOrder(orderId: string, orderToken: string) {
  try {
    sessionStorage.setItem(GUEST_ORDER_KEY, JSON.stringify({ orderId, orderToken }));
  } catch {
    // private mode: the return page then asks the buyer to use the email's link
  }
}

export function guestOrder(): { orderId: string; orderToken: string } | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(GUEST_ORDER_KEY) ?? "null");
    return v && typeof v.orderId === "string" && typeof v.orderToken === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

export function PayPalApproval({
  payments,
  orderToken,
  redirect = (url: string) => window.location.assign(url),
}: {
  payments: Payment[] | undefined;
  /** A guest buyer's signed order token. */
  orderToken?: string;
  /** Sends the browser to PayPal (replaced in tests). */
  redirect?: (url: string) => void;
}) {
  const { api } = useSession();
  const paymentId = waitingForPayPal(payments)?.paymentId;
  const [link, setLink] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [closed, setClosed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!paymentId) return;
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    api.payments.paypalApproval(paymentId, orderToken).then(
      (r) => {
        if (!live) return;
        setLink(r.approveUrl);
        setFailed(false);
        if (orderToken) rememberGuestOrder(r.orderId, orderToken);
        if (!alreadySent(paymentId)) {
          markSent(paymentId);
          redirect(r.approveUrl);
        }
      },
      (e: unknown) => {
        if (!live) return;
        if (isApiError(e) && e.status === 409) {
          setClosed(true); // approved or cancelled meanwhile: the polled payments catch up
          return;
        }
        setFailed(true);
        retry = setTimeout(() => setAttempt((n) => n + 1), 2000);
      },
    );
    return () => {
      live = false;
      if (retry) clearTimeout(retry);
    };
    // redirect is a callback prop, left out on purpose: a new one must not
    // ask PayPal again.
  }, [api, paymentId, orderToken, attempt]);

  if (!paymentId || closed) return null;
  return (
    <div className="outcome" role="status" data-testid="paypal-approval">
      <p>
        <strong>Approve your payment at PayPal.</strong> We hold your items while you do; without your approval the
        order is cancelled after a while.
      </p>
      {link ? (
        <p>
          <a className="button primary" href={link} data-testid="paypal-continue">
            Continue to PayPal
          </a>
        </p>
      ) : failed ? (
        <p className="muted">Could not reach PayPal just now; retrying…</p>
      ) : (
        <p className="muted">Preparing PayPal…</p>
      )}
    </div>
  );
}
