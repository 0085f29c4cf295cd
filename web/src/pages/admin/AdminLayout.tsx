import { NavLink, Outlet } from "react-router-dom";
import { useSession } from "../../state/session";

export function AdminLayout() {
  // Revenue is for admins; support staff do not see the sales link.
  const isAdmin = useSession().me?.roles.includes("admin") ?? false;
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
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}
