// Wire shapes of the public gateway API. They come from the OpenAPI document
// (api/gateway/openapi.json) through the generated schema.gen.ts, so the
// storefront cannot drift from what the API documents; the Go API tests check
// that the API serves what the document says. Money is always integer minor
// units plus an ISO currency, exactly like domain/money.DTO.
import type { components } from "./schema.gen";

type Schemas = components["schemas"];

export type Money = Schemas["Money"];
export type Me = Schemas["User"];
export type Role = Me["roles"][number];
export type Product = Schemas["Product"];
/** One SKU of a product family, as a variant picker shows it. */
export type ProductVariant = Schemas["Variant"];
export type ProductOption = Schemas["Option"];
export type VariantInput = Schemas["VariantInput"];
export type ProductInput = Schemas["ProductInput"];
export type TaxClass = Schemas["TaxClass"];
export type StockMovement = Schemas["StockMovement"];
export type StockMovementPage = Schemas["StockMovementPage"];
export type StockReason = Exclude<StockMovement["reason"], "sold">;
export type Category = Schemas["Category"];
export type BasketLine = Schemas["BasketLine"];
export type Basket = Schemas["Basket"];
export type BasketEstimate = Schemas["BasketEstimate"];
export type BasketShippingOffer = Schemas["BasketShippingOffer"];
export type BasketDiscount = Schemas["OrderDiscount"];
export type ChangedLine = Schemas["ChangedLine"];
export type DiscountRefusalReason = NonNullable<Schemas["DiscountProblem"]["reason"]>;
export type Address = Schemas["Address"];
export type SavedAddress = Schemas["ProfileAddress"];
export type CheckoutRequest = Schemas["CheckoutRequest"];
export type OrderStatus = Schemas["OrderStatus"];
export type OrderSummary = Schemas["OrderSummary"];
export type OrderDetail = Schemas["Order"];
export type StatusChange = OrderDetail["history"][number];
export type OrderLine = Schemas["OrderLine"];
/** A printable invoice or credit note. */
export type OrderDocument = Schemas["OrderDocument"];
export type Payment = Schemas["Payment"];
export type Profile = Schemas["ClientProfile"];
export type Preferences = Schemas["Preferences"];
export type ShopConfig = Schemas["PublicConfig"];
export type TimelineEntry = Schemas["TimelineEntry"];
export type Return = Schemas["Return"];
export type ReturnStatus = Schemas["ReturnStatus"];
export type ReturnReason = Schemas["ReturnReason"];
/** An order's returns and how many units of each line may still be asked back. */
export type OrderReturns = Schemas["OrderReturns"];
export type SalesReport = Schemas["SalesReport"];
export type SalesBy = SalesReport["by"];
export type ProjectionStatus = Schemas["ProjectionStatus"];
export type DeadLetter = Schemas["DeadLetter"];
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type WebhookEndpointCreated = Schemas["WebhookEndpointCreated"];
export type WebhookEndpointInput = Schemas["WebhookEndpointInput"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookEventType = Schemas["WebhookEventType"];

/** Every public webhook event type, as the API accepts them. */
export const WEBHOOK_EVENT_TYPES = [
  "order.paid.v1",
  "order.shipped.v1",
  "order.cancelled.v1",
  "refund.completed.v1",
  "return.received.v1",
] as const satisfies readonly WebhookEventType[];
export type BackInStock = Schemas["BackInStock"];
export type DiscountCode = Schemas["DiscountCode"];
export type DiscountCodeInput = Schemas["DiscountCodeInput"];
export type DiscountCodeChange = Schemas["DiscountCodeChange"];

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export type PaymentMethod = ShopConfig["paymentMethods"][number];

export interface CheckoutAccepted {
  orderId: string;
  /** Stripe mode: the PaymentIntent secret the Payment Element confirms with. */
  clientSecret?: string;
  /** Guest checkouts: the order's status page, reachable without an account. */
  statusUrl?: string;
  statusToken?: string;
}

/** Where the basket's estimate is priced for (GET /api/basket?country=&shippingMethod=). */
export interface EstimateQuery {
  country?: string;
  shippingMethod?: string;
}

/** Every order status, in the order a checkout goes through them. */
export const ORDER_STATUSES = [
  "Placed",
  "Paid",
  "Shipped",
  "Delivered",
  "Cancelled",
  "Refunded",
  "PartiallyRefunded",
] as const satisfies readonly OrderStatus[];

export type ProductSort = "price_asc" | "price_desc" | "name" | "newest";

export interface ProductQuery {
  q?: string;
  category?: string;
  /** Minor units, like every money amount on the wire. */
  minPrice?: number;
  maxPrice?: number;
  sort?: ProductSort;
  page?: number;
  pageSize?: number;
}

/** The back office's product list: the storefront's filters plus archived products. */
export interface AdminProductQuery {
  q?: string;
  category?: string;
  includeArchived?: boolean;
  page?: number;
  pageSize?: number;
}

/** A customer search result (GET /api/admin/customers). */
export type CustomerSummary = Schemas["CustomerSummary"];
/** One customer for staff: profile, preferences and erasures (GET /api/admin/customers/{id}). */
export type Customer = Schemas["Customer"];
export type CustomerErasure = Schemas["CustomerErasure"];

/** A message of the embedded shop's mail outbox (/dev/mail.json, not the public API). */
export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** Back office staff (admins only): members with their roles, invitations and the audit of grants and revocations. */
export type StaffRole = Schemas["StaffRole"];
export type StaffMember = Schemas["StaffMember"];
export type StaffInvitationInput = Schemas["StaffInvitationInput"];
export type StaffInvitationResult = Schemas["StaffInvitationResult"];
export type StaffAuditEntry = Schemas["StaffAuditEntry"];
export type StaffAudit = Schemas["StaffAudit"];
