// Wire shapes of the public gateway API (ARCHITECTURE §10). Money is always
// integer minor units plus an ISO currency, exactly like domain/money.DTO.

export interface Money {
  amount: number;
  currency: string;
}

export type Role = "customer" | "support" | "admin";

export interface Me {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

export interface Product {
  sku: string;
  name: string;
  description: string;
  category: string;
  price: Money;
  images: string[];
  stock: number;
  attributes: Record<string, unknown>;
}

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

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface Category {
  name: string;
  count?: number;
}

export interface BasketLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface Basket {
  lines: BasketLine[];
  total: Money | null;
  revision: number;
}

export interface Address {
  name: string;
  line1: string;
  line2: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface SavedAddress extends Address {
  id: string;
  label: string;
  default: boolean;
}

export type PaymentMethod = "sandbox" | "stripe" | "paypal";

export interface CheckoutRequest {
  shippingAddress: Address;
  payment: { method: "sandbox"; cardNumber: string } | { method: "stripe" | "paypal" };
}

export interface CheckoutAccepted {
  orderId: string;
  /** Stripe mode: the PaymentIntent secret the Payment Element confirms with. */
  clientSecret?: string;
}

export const ORDER_STATUSES = [
  "Placed",
  "StockReserved",
  "PaymentAuthorized",
  "Confirmed",
  "Paid",
  "Shipped",
  "Delivered",
  "Cancelled",
  "Refunded",
  "PartiallyRefunded",
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  total: Money;
  placedAt: string;
  customerId?: string;
  email?: string;
}

export interface StatusChange {
  status: OrderStatus;
  at: string;
  reason?: string;
}

export interface OrderLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal?: Money;
}

export interface OrderDetail {
  orderId: string;
  status: OrderStatus;
  lines: OrderLine[];
  total: Money;
  shippingAddress: Address;
  history: StatusChange[];
  cancelReason?: string;
  placedAt?: string;
  carrier?: string;
  trackingNumber?: string;
  /** The sum of the refunds so far (PartiallyRefunded until it reaches the total). */
  refunded?: Money;
}

export interface Payment {
  paymentId: string;
  status: string;
  amount: Money;
  last4?: string;
  failureReason?: string;
  /** Stripe mode: the PaymentIntent secret, only for the order's owner. */
  clientSecret?: string;
}

export interface Profile {
  name: string;
  phone: string;
  addresses: SavedAddress[];
}

export interface Preferences {
  language: string;
  currency: string;
  marketingOptIn: boolean;
  favouriteCategories: string[];
  extra: Record<string, string>;
}

export interface ShopConfig {
  /** The methods the shop accepts; the checkout offers only these. */
  paymentMethods?: PaymentMethod[];
  /** The first of paymentMethods (servers before paymentMethods sent only this). */
  paymentGateway: PaymentMethod;
  stripePublishableKey?: string;
}

export interface TimelineEntry {
  type: string;
  at: string;
  position?: number;
  revision?: number;
  stream?: string;
  data?: unknown;
}

export interface CustomerSummary {
  id: string;
  email: string;
  name: string;
  roles?: Role[];
  verified?: boolean;
}

export interface ProjectionStatus {
  name: string;
  position: number;
  lagEvents: number;
  lagSeconds: number;
  state: string;
  /** Rebuild progress 0..1 when the backend reports it. */
  progress?: number;
}

export interface DeadLetter {
  id: string;
  handler?: string;
  topic?: string;
  reason?: string;
  messageType?: string;
  failedAt?: string;
  attempts?: number;
  payload?: unknown;
}

export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}
