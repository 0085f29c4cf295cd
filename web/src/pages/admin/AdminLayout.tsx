import { NavLink, Outlet } from "react-router-dom";
import { useSession } from "../../state/session";

export function AdminLayout() {
  // Sales, webhooks, discount codes and staff are admin-only (the API refuses support staff); so are their links.
  const isAdmin = !!useSession().me?.roles?.includes("admin");
  return (
    <div className="admin">
      <h1>Back office</h1>
      <nav aria-label="Back office" className="subnav">
        <ul>
          <li>
            <NavLink to="/admin/orders">Orders</NavLink>
          </li>
          <li>
            <NavLink to="/admin/customers">Customers</NavLink>
          </li>
          <li>
            <NavLink to="/admin/products">Products</NavLink>
            <NavLink to="/admin/returns">Returns</NavLink>
          </li>
          {isAdmin && (
            <li>
              <NavLink to="/admin/sales">Sales</NavLink>
            </li>
          )}
          <li>
            <NavLink to="/admin/projections">Projections</NavLink>
          </li>
          <li>
            <NavLink to="/admin/deadletters">Dead letters</NavLink>
          </li>
          {isAdmin && (
            <li>
              <NavLink to="/admin/webhooks">Webhooks</NavLink>
            </li>
          )}
          {isAdmin && (
            <li>
              <NavLink to="/admin/discounts">Discount codes</NavLink>
            </li>
          )}
          {isAdmin && (
            <li>
              <NavLink to="/admin/staff">Staff</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
