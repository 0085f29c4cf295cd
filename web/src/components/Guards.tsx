// Route guards. They only shape the UI: every API enforces the same rules
// itself, so a hidden link is convenience, not security.

import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useSession } from "../state/session";
import { Loading } from "./Status";

export function RequireAuth({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const loc = useLocation();
  if (me === undefined) return <Loading label="Checking your session…" />;
  if (me === null) {
    const next = encodeURIComponent(loc.pathname + loc.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}

export function RequireStaff({ children }: { children: ReactNode }) {
  const { me, isStaff } = useSession();
  if (me === undefined) return <Loading label="Checking your session…" />;
  if (!isStaff) {
    return (
      <div className="state state-error" role="alert">
        <h1>Not allowed</h1>
        <p>The back office is for support and admin staff.</p>
      </div>
    );
  }
  return <>{children}</>;
}

/**
 * Admin-only back office pages (staff, sales, webhooks, discount codes): support staff may open
 * orders, customers, returns, projections and dead letters, and the APIs answer them the same way.
 */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (me === undefined) return <Loading label="Checking your session…" />;
  if (!me?.roles?.includes("admin")) {
    return (
      <div className="state state-error" role="alert">
        <h1>Admins only</h1>
        <p>This page is for administrators. Support staff can use orders, customers and returns.</p>
      </div>
    );
  }
  return <>{children}</>;
}
