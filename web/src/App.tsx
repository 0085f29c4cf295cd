import { lazy, Suspense, type ReactElement } from "react";
import { Route, Routes, useSearchParams } from "react-router-dom";
import type { Api } from "./api/endpoints";
import { Layout } from "./components/Layout";
import { RequireAdmin, RequireAuth, RequireStaff } from "./components/Guards";
import { BasketProvider } from "./state/basket";
import { SessionProvider } from "./state/session";
import { CatalogPage } from "./pages/CatalogPage";
import { ProductPage } from "./pages/ProductPage";
import { BasketPage } from "./pages/BasketPage";
import { LoginPage } from "./pages/LoginPage";
import { RegisterPage } from "./pages/RegisterPage";
import { VerifyPage } from "./pages/VerifyPage";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/PasswordPages";
import { CheckoutPage } from "./pages/CheckoutPage";
import { OrdersPage } from "./pages/OrdersPage";
import { OrderPage } from "./pages/OrderPage";
import { PayPalReturnPage } from "./pages/PayPalReturnPage";
import { InvoicePage } from "./pages/InvoicePage";
import { ProfilePage } from "./pages/ProfilePage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { AdminLayout } from "./pages/admin/AdminLayout";
import { AdminOrdersPage } from "./pages/admin/AdminOrdersPage";
import { AdminOrderPage } from "./pages/admin/AdminOrderPage";
import { AdminCustomersPage } from "./pages/admin/AdminCustomersPage";
import { AdminCustomerPage } from "./pages/admin/AdminCustomerPage";
import { AdminStaffPage } from "./pages/admin/AdminStaffPage";
import { AdminProjectionsPage } from "./pages/admin/AdminProjectionsPage";
import { AdminDeadLettersPage } from "./pages/admin/AdminDeadLettersPage";
import { Loading } from "./components/Status";

// The sales dashboard carries the chart library: only admins who open it download it.
const AdminSalesPage = lazy(() => import("./pages/admin/AdminSalesPage").then((m) => ({ default: m.AdminSalesPage })));
import { AdminWebhooksPage } from "./pages/admin/AdminWebhooksPage";
import { AdminDiscountsPage } from "./pages/admin/AdminDiscountsPage";
import { AdminProductsPage } from "./pages/admin/AdminProductsPage";
import { AdminProductPage } from "./pages/admin/AdminProductPage";
import { AdminReturnsPage } from "./pages/admin/AdminReturnsPage";
import { AdminReturnPage } from "./pages/admin/AdminReturnPage";

export function App({ api }: { api: Api }) {
  return (
    <SessionProvider api={api}>
      <BasketProvider>
        <Layout>
          <Routes>
            <Route path="/" element={<CatalogPage />} />
            <Route path="/products/:sku" element={<ProductPage />} />
            <Route path="/basket" element={<BasketPage />} />
            <Route path="/login" element={<LoginPage />} />
            <Route path="/register" element={<RegisterPage />} />
            <Route path="/verify" element={<VerifyPage />} />
            <Route path="/forgot-password" element={<ForgotPasswordPage />} />
            <Route path="/reset-password" element={<ResetPasswordPage />} />
            <Route path="/accept-invite" element={<ResetPasswordPage invite />} />
            <Route path="/checkout" element={<CheckoutPage />} />
            <Route path="/checkout/paypal/return" element={<PayPalReturnPage outcome="approved" />} />
            <Route path="/checkout/paypal/cancel" element={<PayPalReturnPage outcome="cancelled" />} />
            <Route path="/orders" element={<RequireAuth><OrdersPage /></RequireAuth>} />
            <Route path="/orders/:orderId" element={<OrderRoute />} />
            <Route path="/orders/:orderId/invoice" element={<LinkedOrAuth><InvoicePage /></LinkedOrAuth>} />
            <Route path="/orders/:orderId/credit-notes/:number" element={<LinkedOrAuth><InvoicePage /></LinkedOrAuth>} />
            <Route path="/profile" element={<RequireAuth><ProfilePage /></RequireAuth>} />
            <Route path="/admin" element={<RequireStaff><AdminLayout /></RequireStaff>}>
              <Route index element={<AdminOrdersPage />} />
              <Route path="orders" element={<AdminOrdersPage />} />
              <Route path="orders/:orderId" element={<AdminOrderPage />} />
              <Route path="customers" element={<AdminCustomersPage />} />
              <Route path="customers/:customerId" element={<AdminCustomerPage />} />
              <Route path="returns" element={<AdminReturnsPage />} />
              <Route path="returns/:returnId" element={<AdminReturnPage />} />
              <Route
                path="sales"
                element={
                  <RequireAdmin>
                    <Suspense fallback={<Loading label="Loading the dashboard…" />}>
                      <AdminSalesPage />
                    </Suspense>
                  </RequireAdmin>
                }
              />
              <Route path="projections" element={<AdminProjectionsPage />} />
              <Route path="deadletters" element={<AdminDeadLettersPage />} />
              <Route path="webhooks" element={<RequireAdmin><AdminWebhooksPage /></RequireAdmin>} />
              <Route path="discounts" element={<RequireAdmin><AdminDiscountsPage /></RequireAdmin>} />
              <Route path="staff" element={<RequireAdmin><AdminStaffPage /></RequireAdmin>} />
              <Route path="products" element={<AdminProductsPage />} />
              <Route path="products/:sku" element={<AdminProductPage />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Layout>
      </BasketProvider>
    </SessionProvider>
  );
}

/** An order page: a guest's through the signed token of its status link, else the signed-in customer's. */
function OrderRoute() {
  return (
    <LinkedOrAuth>
      <OrderPage />
    </LinkedOrAuth>
  );
}

/** A page of one order (the order, its invoice, its credit notes): a guest opens it through the order's signed token, anyone else signs in. */
function LinkedOrAuth({ children }: { children: ReactElement }) {
  const [params] = useSearchParams();
  return params.get("token") ? children : <RequireAuth>{children}</RequireAuth>;
}
