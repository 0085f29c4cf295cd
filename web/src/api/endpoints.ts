// Typed wrappers for every gateway endpoint the storefront uses. The backend
// is written by several teams at once, so list answers are normalised here
// (a bare array or an {items} page both work) and pages never see the wire.

import { ApiClient } from "./client";
import type {
  AdminProductQuery,
  ProductInput,
  StockMovementPage,
  StockReason,
  BackInStock,
  Basket,
  Category,
  CheckoutAccepted,
  CheckoutRequest,
  Customer,
  CustomerSummary,
  DeadLetter,
  DiscountCode,
  DiscountCodeChange,
  DiscountCodeInput,
  Me,
  OrderDetail,
  OrderDocument,
  OrderSummary,
  Page,
  Payment,
  Preferences,
  Product,
  ProductQuery,
  Profile,
  ProjectionStatus,
  SalesBy,
  SalesReport,
  EstimateQuery,
  StaffAudit,
  StaffInvitationInput,
  StaffInvitationResult,
  StaffMember,
  ShopConfig,
  TimelineEntry,
  VariantInput,
  OrderReturns,
  Return,
  ReturnReason,
  ReturnStatus,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointInput,
} from "./types";

export interface Versioned<T> {
  value: T;
  /** The ETag to send back as If-Match on the next write. */
  etag: string | null;
}

/** One read of an order being followed (orders.follow). */
export interface FollowedOrder {
  /** null: unchanged since the ETag held (304). */
  order: OrderDetail | null;
  etag: string | null;
  /**
   * Whether the shop holds reads until a change, as far as this answer
   * tells (undefined: it does not, e.g. the order had changed already).
   */
  holds: boolean | undefined;
}

const seg = encodeURIComponent;

/** The answer of the PayPal return and cancel endpoints. */
export interface PayPalOutcome {
  paymentId: string;
  orderId: string;
  status: string;
  failCode?: string;
}

export function createApi(client: ApiClient) {
  const basketResult = (r: { data: unknown; etag: string | null }): Versioned<Basket> => {
    const value = normaliseBasket(r.data);
    // Fall back to the revision when a proxy strips the ETag header.
    return { value, etag: r.etag ?? `"${value.revision}"` };
  };

  return {
    client,

    config: {
      get: () => client.get<ShopConfig>("/api/config"),
    },

    auth: {
      me: () => client.get<Me>("/api/auth/me"),
      register: (body: { email: string; password: string; name: string }) =>
        client.post<unknown>("/api/auth/register", body),
      verify: (token: string) => client.post<unknown>("/api/auth/verify", { token }),
      login: async (body: { email: string; password: string }) => {
        const r = await client.post<unknown>("/api/auth/login", body);
        client.resetCsrf();
        return r;
      },
      logout: async () => {
        try {
          await client.post<unknown>("/api/auth/logout");
        } finally {
          client.resetCsrf();
        }
      },
      forgotPassword: (email: string) => client.post<unknown>("/api/auth/password/forgot", { email }),
      resetPassword: (token: string, password: string) =>
        client.post<unknown>("/api/auth/password/reset", { token, password }),
      acceptInvitation: (token: string, password: string) =>
        client.post<unknown>("/api/auth/invitation/accept", { token, password }),
    },

    catalog: {
      products: async (q: ProductQuery): Promise<Page<Product>> =>
        normalisePage<Product>(
          await client.get<unknown>("/api/catalog/products", { query: { ...q } }),
          q.page ?? 1,
          q.pageSize ?? 12,
        ),
      product: (sku: string) => client.get<Product>(`/api/catalog/products/${seg(sku)}`),
      /** Admin: a new variant of the product sku; 422 field errors name sku, options, productOptions, price, stock. */
      addVariant: (sku: string, body: VariantInput) => client.post<Product>(`/api/catalog/products/${seg(sku)}/variants`, body),
      /** Admin: archive one SKU (a variant leaves its family's choice). */
      archiveVariant: (sku: string) => client.post<Product>(`/api/catalog/products/${seg(sku)}/archive`),
      categories: async (): Promise<Category[]> =>
        normaliseCategories(await client.get<unknown>("/api/catalog/categories")),
    },

    // Back office: products, their images and stock (admins; support reads).
    catalogAdmin: {
      products: async (q: AdminProductQuery): Promise<Page<Product>> =>
        normalisePage<Product>(
          await client.get<unknown>("/api/catalog/products", { query: { ...q, includeArchived: q.includeArchived || undefined } }),
          q.page ?? 1,
          q.pageSize ?? 20,
        ),
      create: (input: ProductInput) => client.post<Product>("/api/catalog/products", input),
      update: (sku: string, input: ProductInput) => client.put<Product>(`/api/catalog/products/${seg(sku)}`, input),
      archive: (sku: string) => client.post<Product>(`/api/catalog/products/${seg(sku)}/archive`, {}),
      adjustStock: (sku: string, change: { delta: number; reason: StockReason; note?: string }, idempotencyKey: string) =>
        client.post<Product>(`/api/catalog/products/${seg(sku)}/stock`, change, { idempotencyKey }),
      movements: (sku: string, page: number, pageSize = 20) =>
        client.get<StockMovementPage>(`/api/catalog/products/${seg(sku)}/stock/movements`, { query: { page, pageSize } }),
      uploadImage: (sku: string, file: File) => {
        const form = new FormData();
        form.append("file", file);
        return client.post<Product>(`/api/catalog/products/${seg(sku)}/images`, form);
      },
      setImages: (sku: string, images: string[]) => client.put<Product>(`/api/catalog/products/${seg(sku)}/images`, { images }),
    },

    basket: {
      // The estimate follows q (destination and shipping method); writes
      // answer with it too.
      get: async (q: EstimateQuery = {}) => basketResult(await client.request<unknown>("GET", "/api/basket", { query: estimateQuery(q) })),
      add: async (sku: string, quantity: number, etag: string | null, q: EstimateQuery = {}) =>
        basketResult(
          await client.request<unknown>("POST", "/api/basket/items", { body: { sku, quantity }, ifMatch: etag, query: estimateQuery(q) }),
        ),
      setQuantity: async (sku: string, quantity: number, etag: string | null, q: EstimateQuery = {}) =>
        basketResult(
          await client.request<unknown>("PATCH", `/api/basket/items/${seg(sku)}`, {
            body: { quantity },
            ifMatch: etag,
            query: estimateQuery(q),
          }),
        ),
      remove: async (sku: string, etag: string | null, q: EstimateQuery = {}) =>
        basketResult(
          await client.request<unknown>("DELETE", `/api/basket/items/${seg(sku)}`, { ifMatch: etag, query: estimateQuery(q) }),
        ),
      /** Refusals are ApiErrors whose members.reason names why (expired, used_up, …). */
      applyDiscount: async (code: string, etag: string | null, q: EstimateQuery = {}) =>
        basketResult(
          await client.request<unknown>("POST", "/api/basket/discount", { body: { code }, ifMatch: etag, query: estimateQuery(q) }),
        ),
      removeDiscount: async (etag: string | null, q: EstimateQuery = {}) =>
        basketResult(await client.request<unknown>("DELETE", "/api/basket/discount", { ifMatch: etag, query: estimateQuery(q) })),
      merge: () => client.post<unknown>("/api/basket/merge"),
      checkout: (body: CheckoutRequest, idempotencyKey: string) =>
        client.post<CheckoutAccepted>("/api/basket/checkout", body, { idempotencyKey }),
    },

    notifications: {
      /** Whether the signed-in customer waits for an email when the SKU is back in stock. */
      backInStock: (sku: string) => client.get<BackInStock>(`/api/notifications/back-in-stock/${seg(sku)}`),
      /** Opt in to one email when the SKU is restocked; idempotent. */
      subscribeBackInStock: (sku: string) => client.post<BackInStock>(`/api/notifications/back-in-stock/${seg(sku)}`),
      unsubscribeBackInStock: (sku: string) => client.delete<BackInStock>(`/api/notifications/back-in-stock/${seg(sku)}`),
    },

    orders: {
      list: async (page: number): Promise<Page<OrderSummary>> =>
        normalisePage<OrderSummary>(await client.get<unknown>("/api/orders", { query: { page } }), page, 20),
      /** token: a guest order's signed status token (no session needed then). */
      get: (id: string, token?: string) =>
        client.get<OrderDetail>(`/api/orders/${seg(id)}`, token ? { query: { token }, refreshOn401: false } : undefined),
      /**
       * One read of an order being followed. With held (the ETag of the order
       * as last read) the shop holds the read until the order changes, at
       * most 10 s (then order is null: unchanged); signal ends the read.
       */
      follow: async (id: string, held: string | null, token?: string, signal?: AbortSignal): Promise<FollowedOrder> => {
        const r = await client.request<OrderDetail>("GET", `/api/orders/${seg(id)}`, {
          ...(token ? { query: { token }, refreshOn401: false } : {}),
          headers: held ? { "If-None-Match": held, Prefer: "wait=10" } : undefined,
          notModified: true,
          signal,
        });
        const applied = r.headers.get("Preference-Applied") !== null;
        let holds: boolean | undefined;
        if (r.status === 304) holds = applied; // unchanged: at once, or after the wait
        else if (held && (r.etag === null || r.etag === held)) holds = false; // the condition ignored
        else if (applied) holds = true; // changed during the wait
        return { order: r.status === 304 ? null : r.data, etag: r.etag ?? held, holds };
      },
      /** The order's invoice (404 until the order is paid and numbered); staff may read any; token: a guest order's signed token. */
      invoice: (id: string, token?: string) =>
        client.get<OrderDocument>(`/api/orders/${seg(id)}/invoice`, token ? { query: { token }, refreshOn401: false } : undefined),
      creditNote: (id: string, number: string, token?: string) =>
        client.get<OrderDocument>(
          `/api/orders/${seg(id)}/credit-notes/${seg(number)}`,
          token ? { query: { token }, refreshOn401: false } : undefined,
        ),
      returns: (id: string) => client.get<OrderReturns>(`/api/orders/${seg(id)}/returns`),
      /** idempotencyKey: one per filled-in form, so a retried submit records one return. */
      requestReturn: (
        id: string,
        body: { lines: { sku: string; quantity: number }[]; reason: ReturnReason; note?: string },
        idempotencyKey: string,
      ) => client.post<Return>(`/api/orders/${seg(id)}/returns`, body, { idempotencyKey }),
    },

    // orderToken: a guest buyer's signed order token (no session needed then).
    payments: {
      forOrder: async (orderId: string, orderToken?: string): Promise<Payment[]> =>
        (
          await client.get<{ orderId: string; payments: Payment[] }>(
            "/api/payments",
            orderToken ? { query: { orderId, orderToken }, refreshOn401: false } : { query: { orderId } },
          )
        ).payments,
      /** Stripe: the secret the Payment Element confirms with, once the payment needs the buyer. */
      clientSecret: async (paymentId: string): Promise<string> =>
        (await client.get<{ paymentId: string; clientSecret: string }>(`/api/payments/${seg(paymentId)}/client-secret`))
          .clientSecret,
      /** PayPal: where the buyer approves a payment that waits for it (read from PayPal each time). */
      paypalApproval: (paymentId: string, orderToken?: string) =>
        client.get<{ paymentId: string; orderId: string; approveUrl: string }>(
          `/api/payments/${seg(paymentId)}/approval`,
          orderToken ? { query: { orderToken }, refreshOn401: false } : undefined,
        ),
      /** PayPal sent the buyer back approved: the payment authorizes now. */
      paypalReturn: (token: string, orderToken?: string) =>
        client.post<PayPalOutcome>("/api/payments/paypal/return", orderToken ? { token, orderToken } : { token }),
      /** PayPal sent the buyer back cancelled: the order is cancelled, its stock released. */
      paypalCancel: (token: string, orderToken?: string) =>
        client.post<PayPalOutcome>("/api/payments/paypal/cancel", orderToken ? { token, orderToken } : { token }),
    },

    clients: {
      profile: () => client.get<Profile>("/api/clients/me"),
      saveProfile: (p: Profile) => client.put<Profile>("/api/clients/me", p),
      preferences: () => client.get<Preferences>("/api/clients/me/preferences"),
      savePreferences: (p: Preferences) => client.put<Preferences>("/api/clients/me/preferences", p),
      exportData: () => client.get<unknown>("/api/clients/me/export"),
      erase: () => client.delete<unknown>("/api/clients/me"),
      recommendations: async (): Promise<Product[]> =>
        listOf<Product>(await client.get<unknown>("/api/clients/me/recommendations")),
    },

    admin: {
      orders: async (q: { q?: string; status?: string; customerId?: string; page?: number }): Promise<Page<OrderSummary>> =>
        normalisePage<OrderSummary>(await client.get<unknown>("/api/admin/orders", { query: q }), q.page ?? 1, 50),
      // Staff read an order through the customer endpoint, which lets support/admin see any order.
      order: (id: string) => client.get<OrderDetail>(`/api/orders/${seg(id)}`),
      timeline: async (id: string): Promise<TimelineEntry[]> =>
        listOf<TimelineEntry>(await client.get<unknown>(`/api/admin/orders/${seg(id)}/timeline`)),
      ship: (id: string, carrier: string, trackingNumber: string) =>
        client.post<unknown>(`/api/admin/orders/${seg(id)}/ship`, { carrier, trackingNumber }),
      deliver: (id: string) => client.post<unknown>(`/api/admin/orders/${seg(id)}/deliver`, {}),
      cancel: (id: string, reason: string) => client.post<unknown>(`/api/admin/orders/${seg(id)}/cancel`, { reason }),
      // 202: the payment service refunds, then the order turns PartiallyRefunded or Refunded. The key names the refund, so a retry
      // of the same submit refunds once.
      refund: (id: string, amount: { amount: number; currency: string }, reason: string, idempotencyKey: string) =>
        client.post<unknown>(`/api/admin/orders/${seg(id)}/refund`, { amount, reason }, { idempotencyKey }),
      // Each word of q begins a word of the name or the email (prefix search); a user id finds that customer.
      customers: async (q: { q?: string; page?: number }): Promise<Page<CustomerSummary>> =>
        normalisePage<CustomerSummary>(await client.get<unknown>("/api/admin/customers", { query: q }), q.page ?? 1, 20),
      customer: (id: string) => client.get<Customer>(`/api/admin/customers/${seg(id)}`),
      exportCustomer: (id: string) => client.get<unknown>(`/api/admin/customers/${seg(id)}/export`),
      // Admins only; the erasure is recorded with the admin's id.
      eraseCustomer: (id: string) => client.delete<unknown>(`/api/admin/customers/${seg(id)}`),
      projections: async (): Promise<ProjectionStatus[]> =>
        listOf<ProjectionStatus>(await client.get<unknown>("/api/admin/projections")),
      rebuild: (name: string) => client.post<unknown>(`/api/admin/projections/${seg(name)}/rebuild`, {}),
      deadLetters: async (): Promise<DeadLetter[]> =>
        listOf<DeadLetter>(await client.get<unknown>("/api/admin/deadletters")),
      redrive: (id: string) => client.post<unknown>(`/api/admin/deadletters/${seg(id)}/redrive`, {}),
      sales: (q: SalesQuery) => client.get<SalesReport>("/api/admin/sales", { query: { ...q } }),
      webhooks: async (): Promise<WebhookEndpoint[]> =>
        listOf<WebhookEndpoint>(await client.get<unknown>("/api/admin/webhooks")),
      // The answer carries the signing secret: the only time the API shows it.
      createWebhook: (input: WebhookEndpointInput) => client.post<WebhookEndpointCreated>("/api/admin/webhooks", input),
      updateWebhook: (id: string, input: Omit<WebhookEndpointInput, "secret">) =>
        client.put<WebhookEndpoint>(`/api/admin/webhooks/${seg(id)}`, input),
      deleteWebhook: (id: string) => client.delete<unknown>(`/api/admin/webhooks/${seg(id)}`),
      webhookDeliveries: async (id: string): Promise<WebhookDelivery[]> =>
        listOf<WebhookDelivery>(await client.get<unknown>(`/api/admin/webhooks/${seg(id)}/deliveries`)),
      redeliverWebhook: (id: string, deliveryId: string) =>
        client.post<WebhookDelivery>(`/api/admin/webhooks/${seg(id)}/deliveries/${seg(deliveryId)}/redeliver`, {}),
      returns: async (status?: ReturnStatus): Promise<Return[]> =>
        listOf<Return>(await client.get<unknown>("/api/admin/returns", { query: status ? { status } : {} })),
      getReturn: (id: string) => client.get<Return>(`/api/admin/returns/${seg(id)}`),
      approveReturn: (id: string) => client.post<Return>(`/api/admin/returns/${seg(id)}/approve`, {}),
      rejectReturn: (id: string, reason: string) => client.post<Return>(`/api/admin/returns/${seg(id)}/reject`, { reason }),
      receiveReturn: (id: string, lines: { sku: string; restock: number; damaged: number }[]) =>
        client.post<Return>(`/api/admin/returns/${seg(id)}/receive`, { lines }),
      discounts: async (): Promise<DiscountCode[]> => listOf<DiscountCode>(await client.get<unknown>("/api/admin/discounts")),
      createDiscount: (input: DiscountCodeInput) => client.post<DiscountCode>("/api/admin/discounts", input),
      // Pause/resume and the window, minimum and limits; fields left out stay.
      updateDiscount: (code: string, change: DiscountCodeChange) =>
        client.patch<DiscountCode>(`/api/admin/discounts/${seg(code)}`, change),
    },

    /** Staff management (admins only): the API refuses support staff. */
    staff: {
      list: async (): Promise<StaffMember[]> => listOf<StaffMember>(await client.get<unknown>("/api/admin/staff")),
      invite: (input: StaffInvitationInput) => client.post<StaffInvitationResult>("/api/admin/staff/invitations", input),
      grant: (userId: string, role: string) => client.post<StaffMember>(`/api/admin/staff/${seg(userId)}/roles`, { role }),
      revoke: (userId: string, role: string) =>
        client.delete<StaffMember>(`/api/admin/staff/${seg(userId)}/roles/${seg(role)}`),
      audit: (q: { limit?: number; before?: number } = {}) => client.get<StaffAudit>("/api/admin/staff/audit", { query: q }),
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** A sales report's period (YYYY-MM-DD, inclusive, in the shop's time zone) and breakdown. */
export interface SalesQuery {
  from: string;
  to: string;
  by: SalesBy;
}

/** Where the CSV of a sales report downloads from (same origin: the session cookie goes along). */
export function salesCsvUrl(q: SalesQuery): string {
  return `/api/admin/sales?${new URLSearchParams({ from: q.from, to: q.to, by: q.by, format: "csv" })}`;
}

/** Accepts [x], {items:[x]} and null alike. */
export function listOf<T>(v: unknown): T[] {
  if (Array.isArray(v)) return v as T[];
  if (v && typeof v === "object" && Array.isArray((v as { items?: unknown }).items)) {
    return (v as { items: T[] }).items;
  }
  return [];
}

export function normalisePage<T>(v: unknown, page: number, pageSize: number): Page<T> {
  const items = listOf<T>(v);
  const o = (v && typeof v === "object" && !Array.isArray(v) ? v : {}) as Partial<Page<T>>;
  return {
    items,
    page: typeof o.page === "number" ? o.page : page,
    pageSize: typeof o.pageSize === "number" && o.pageSize > 0 ? o.pageSize : pageSize,
    total: typeof o.total === "number" ? o.total : items.length,
  };
}

/** The catalog's categories ({name, count}), skipping anything malformed. */
export function normaliseCategories(v: unknown): Category[] {
  return listOf<unknown>(v).filter(
    (c): c is Category =>
      !!c && typeof c === "object" && typeof (c as Category).name === "string" && typeof (c as Category).count === "number",
  );
}

export function normaliseBasket(v: unknown): Basket {
  const o = (v && typeof v === "object" ? v : {}) as Partial<Basket>;
  return {
    lines: Array.isArray(o.lines) ? o.lines : [],
    total: o.total ?? null,
    itemCount: typeof o.itemCount === "number" ? o.itemCount : 0,
    revision: typeof o.revision === "number" ? o.revision : 0,
    discount: o.discount && typeof o.discount === "object" ? o.discount : null,
    estimate: o.estimate && typeof o.estimate === "object" && o.estimate.breakdown ? o.estimate : null,
  };
}

/** Only the parameters that are set. */
function estimateQuery(q: EstimateQuery): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (q.country) out.country = q.country;
  if (q.shippingMethod) out.shippingMethod = q.shippingMethod;
  return Object.keys(out).length ? out : undefined;
}
