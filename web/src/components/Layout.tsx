// The frame around every page: skip link, header navigation, a polite live
// region for short confirmations, and focus moved to <main> on navigation so
// keyboard and screen-reader users start at the new page's content.

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router-dom";
import { useBasket } from "../state/basket";
import { useSession } from "../state/session";

const AnnounceCtx = createContext<(msg: string) => void>(() => {});

/** Shows a short confirmation ("Added to basket") and reads it out. */
export function useAnnounce(): (msg: string) => void {
  return useContext(AnnounceCtx);
}

export function Layout({ children }: { children: ReactNode }) {
  const { me, isStaff, logout } = useSession();
  const { count } = useBasket();
  const loc = useLocation();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);
  const [message, setMessage] = useState("");
  const [menuOpen, setMenuOpen] = useState(false);
  const first = useRef(true);

  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [loc.pathname]);

  useEffect(() => {
    if (!message) return;
    const t = setTimeout(() => setMessage(""), 4000);
    return () => clearTimeout(t);
  }, [message]);

  const announce = useCallback((m: string) => setMessage(m), []);

  const onLogout = async () => {
    await logout().catch(() => undefined);
    navigate("/");
    announce("You are signed out.");
  };

  return (
    <AnnounceCtx.Provider value={announce}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            evshop
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="site-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
          </button>
          <nav id="site-nav" aria-label="Main" className={menuOpen ? "open" : ""}>
            <ul>
              <li>
                <NavLink to="/" end>
                  Shop
                </NavLink>
              </li>
              <li>
                <NavLink to="/basket" data-testid="nav-basket">
                  Basket{" "}
                  <span className="count" aria-label={`${count} items`}>
                    {count}
                  </span>
                </NavLink>
              </li>
              {me && (
                <>
                  <li>
                    <NavLink to="/orders">My orders</NavLink>
                  </li>
                  <li>
                    <NavLink to="/profile">Profile</NavLink>
                  </li>
                </>
              )}
              {isStaff && (
                <li>
                  <NavLink to="/admin">Back office</NavLink>
                </li>
              )}
              {me ? (
                <li>
                  <button type="button" className="link-button" onClick={onLogout}>
                    Sign out <span className="muted">({me.email})</span>
                  </button>
                </li>
              ) : (
                me === null && (
                  <>
                    <li>
                      <NavLink to="/login">Sign in</NavLink>
                    </li>
                    <li>
                      <NavLink to="/register">Register</NavLink>
                    </li>
                  </>
                )
              )}
            </ul>
          </nav>
        </div>
      </header>
      <div className="announcer" role="status" aria-live="polite">
        {message && <p className="toast">{message}</p>}
      </div>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p className="muted">evshop — an event-sourced demo shop. Sandbox payments only take test cards.</p>
      </footer>
    </AnnounceCtx.Provider>
  );
}
