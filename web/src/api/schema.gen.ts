// Generated from api/gateway/openapi.json by web/scripts/api-types.mjs (npm run gen:api).
// Do not edit: change the OpenAPI document and regenerate.

export interface paths {
    "/api/auth/csrf": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Issue a CSRF token
         * @description Sets the signed double-submit CSRF cookie (`__Host-csrf`, or `csrf` on plain-HTTP shops: `COOKIE_SECURE=false`, the embedded default) and returns the token. Echo it in the `X-CSRF-Token` header on every POST, PUT, PATCH and DELETE.
         */
        get: operations["getCsrfToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign up
         * @description Password policy: 8–128 characters, not on the bundled list of common passwords, not the email address. The answer never reveals whether the address already has an account.
         */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Verify the email address
         * @description Consumes the single-use signed token from the verification link. 400 when the token is invalid, used or expired.
         */
        post: operations["verifyEmail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in
         * @description Rate limited per IP and per account.
         */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the session */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password/forgot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request a password reset
         * @description Mails a single-use reset link valid for 30 minutes when the address has an account.
         */
        post: operations["forgotPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reset the password */
        post: operations["resetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password/change": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the password */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user (self, support or admin) */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Public keys of access tokens (JWKS)
         * @description Ed25519 (EdDSA) keys; `kid` selects the key. Cached for 5 minutes.
         */
        get: operations["getJwks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search products
         * @description One entry per product family, shown by its primary SKU while that is on sale (else by its first variant on sale), with `fromPrice`/`toPrice` across its variants; price filters and sorting use `fromPrice`.
         */
        get: operations["listProducts"];
        put?: never;
        /** Create a product (admin) */
        post: operations["createProduct"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products/{sku}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One product
         * @description The SKU (any variant) with its family's `options` and `variants`, for a variant picker.
         */
        get: operations["getProduct"];
        /** Update a product (admin) */
        put: operations["updateProduct"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/categories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Categories */
        get: operations["listCategories"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/basket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My basket
         * @description The basket as the event store holds it when the read runs: the read model's view plus the events it has not applied yet, so a read always shows the caller's own completed writes and its ETag is current. It carries an estimate: the basket priced for `?country=` (default: the shop's country) with `?shippingMethod=` and its discount code.
         */
        get: operations["getBasket"];
        put?: never;
        post?: never;
        /**
         * Empty my basket
         * @description Signed in or as a guest (guest basket cookie).
         */
        delete: operations["clearBasket"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/basket/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add an item */
        post: operations["addBasketItem"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/basket/items/{sku}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove an item */
        delete: operations["removeBasketItem"];
        options?: never;
        head?: never;
        /** Change a quantity */
        patch: operations["updateBasketItem"];
        trace?: never;
    };
    "/api/basket/checkout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check out
         * @description Checks out the signed-in customer's basket, or without a session the guest basket of the `basket_id` cookie (then `email` is required). Each line's unit price is compared with the catalog's current one first: if any changed or a product is gone, the basket is repriced and the answer is 409 with `changedLines`, placing nothing. CSRF and the per-IP rate limit apply to guests as to everyone.
         */
        post: operations["checkout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My orders
         * @description Includes the guest orders placed with the account's verified email address (checked out without an account before it registered).
         */
        get: operations["listOrders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One of my orders, or a guest order through its signed link, with status history
         * @description The order as the event store holds it when the read runs (status and history included), however far the read model is behind. Right after checkout (202 {orderId}) the read waits up to 2 s for an order still on its way to the ordering service instead of answering 404. With `token` (the signed link of a guest checkout: the checkout's `statusToken`, the confirmation email's link) the order is read without a session; a token that is malformed, expired, tampered with or for another order is 404 like a missing order. A signed-in customer also reads the guest orders placed with their verified email address. Following an order: every answer carries a weak ETag of the order's version; with it in If-None-Match the read answers 304 while the order has not changed, and with `Prefer: wait=N` as well it waits up to N seconds (at most 10) for the change, so a client following an order sends one request per change instead of polling.
         */
        get: operations["getOrder"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Payments of my order */
        get: operations["listPayments"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/clients/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My profile */
        get: operations["getProfile"];
        /** Update my profile */
        put: operations["putProfile"];
        post?: never;
        /** Delete my account data */
        delete: operations["deleteProfile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/clients/me/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** My preferences */
        get: operations["getPreferences"];
        /** Update my preferences */
        put: operations["putPreferences"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/clients/me/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Export my data */
        get: operations["exportProfile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All orders (support, admin) */
        get: operations["adminListOrders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders/{id}/refund": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refund an order (admin)
         * @description Asks the payment service to give the amount back and answers 202 once the request is on its way. Several partial refunds may follow each other up to the total; the order turns `PartiallyRefunded` when the payment reports a refund that leaves part of the total, and `Refunded` when the whole total is back. The required `Idempotency-Key` names the refund: a retried request refunds once.
         */
        post: operations["adminRefund"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/projections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Projection status and lag (admin) */
        get: operations["adminProjections"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/deadletters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Dead-lettered messages (admin) */
        get: operations["adminDeadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/basket/merge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Merge my guest basket into my account's basket
         * @description Called after sign-in; the guest basket cookie names the guest basket. A repeat merge adds nothing.
         */
        post: operations["mergeBasket"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/images/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A product image
         * @description Demo images shipped with the shop, then images staff uploaded (immutable under a content-derived name: cached for a year, with an ETag).
         */
        get: operations["productImage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products/{sku}/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Archive a product (admin)
         * @description Archives this SKU only: archiving a variant takes it out of its family's choice.
         */
        post: operations["archiveProduct"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products/{sku}/stock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Adjust stock with a reason (admin)
         * @description Adds delta units on hand (negative: out) and records the movement in the SKU's history with the caller as actor. reason is required (a client without it gets 422 naming the field); received and returned must add, damaged, lost and written_off must remove; other needs a note. With an Idempotency-Key a retried request moves stock once. The movement's id is in X-Movement-Id.
         */
        post: operations["adjustStock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/clients/me/recommendations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Products recommended for me */
        get: operations["myRecommendations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search customers by name, email or id (support, admin)
         * @description Each word of `q` (case-insensitive) must begin a word of the customer's name or their email address: `ada lo` finds Ada Lovelace, `ada.lo` finds ada.lovelace@example.com, `lovelace@` and `example.com` find nothing (prefix, not substring: the stores answer a prefix from an index, see docs/customers.md). A `q` that is a user id finds that customer. Without `q`, every customer. Erased customers are not listed. Newest customer first.
         */
        get: operations["adminSearchCustomers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One customer: profile, addresses, preferences and erasures (support, admin)
         * @description Their orders are listed by `GET /api/admin/orders?customerId=`. An erased customer answers with `erased: true`, no profile, and the erasures (who, when); their orders are kept.
         */
        get: operations["adminGetCustomer"];
        put?: never;
        post?: never;
        /**
         * Erase a customer's data (admin)
         * @description What `DELETE /api/clients/me` does for the customer: the profile, preferences and personalisation history are deleted, a tombstone keeps a replayed registration from restoring them, and the erasure is recorded with the admin's id. Orders are kept (bookkeeping), and so is the sign-in account. Erasing again is allowed and recorded again.
         */
        delete: operations["adminEraseCustomer"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/customers/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export a customer's data (support, admin)
         * @description The same export the customer gets from `GET /api/clients/me/export`, as an attachment.
         */
        get: operations["adminExportCustomer"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Storefront configuration
         * @description What the storefront needs to know before checkout: the payment methods the shop accepts (the checkout offers only these) and, when Stripe is one of them, its publishable key.
         */
        get: operations["getConfig"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/unsubscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Unsubscribe page (from an email link) */
        get: operations["unsubscribePage"];
        put?: never;
        /**
         * Unsubscribe from marketing email (RFC 8058 one-click)
         * @description The token comes in the query (one-click), a form field or a JSON body `{token}`; exempt from CSRF.
         */
        post: operations["unsubscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/notifications/failed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Emails that failed permanently (support, admin) */
        get: operations["failedNotifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/{paymentId}/client-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The Stripe client secret of my payment */
        get: operations["paymentClientSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/{paymentId}/approval": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The PayPal approval link of my payment
         * @description While a PayPal payment waits for the buyer (ledger status `action_required`, method `paypal`), answers the link where the buyer approves it at PayPal (the PayPal order's `payer-action` or `approve` link). It is read from PayPal on every call and never stored. The storefront polls the payments ledger and sends the buyer here.
         */
        get: operations["paymentApproval"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/paypal/return": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Back from PayPal: the buyer approved
         * @description The storefront's PayPal return page (`/checkout/paypal/return?token=…&PayerID=…`) posts the token here. The payment is authorized at PayPal now (the `CHECKOUT.ORDER.APPROVED` webhook does the same with the same idempotency key, so PayPal authorizes once) and the checkout captures it as any payment; the order becomes Paid. Calling again answers the payment's status (idempotent).
         */
        post: operations["paypalReturn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/paypal/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Back from PayPal: the buyer cancelled
         * @description The storefront's PayPal cancel page (`/checkout/paypal/cancel?token=…`) posts the token here. The payment fails with code `buyer_cancelled`; the checkout cancels the order with the reason "buyer cancelled at PayPal" and releases its stock. Calling again answers the same (idempotent).
         */
        post: operations["paypalCancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/{paymentId}/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Refund a payment (admin)
         * @description Gives back part or all of the captured amount at the payment provider, then records it; the order follows (PartiallyRefunded, then Refunded). Several partial refunds add up to at most the captured amount. The required `Idempotency-Key` names the refund: the same key again is the same refund.
         */
        post: operations["refundPayment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/webhooks/stripe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stripe webhook
         * @description Called by the provider; verified by its signature, exempt from CSRF.
         */
        post: operations["stripeWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/payments/webhooks/paypal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Paypal webhook
         * @description Called by the provider; verified by its signature, exempt from CSRF.
         */
        post: operations["paypalWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An order (support, admin)
         * @description Following an order: every answer carries a weak ETag of the order's version; with it in If-None-Match the read answers 304 while the order has not changed, and with `Prefer: wait=N` as well it waits up to N seconds (at most 10) for the change, so a client following an order sends one request per change instead of polling.
         */
        get: operations["adminOrder"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every event of an order, its checkout, stock and payment */
        get: operations["adminOrderTimeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders/{id}/ship": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark an order shipped (support, admin) */
        post: operations["shipOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders/{id}/deliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark an order delivered (support, admin) */
        post: operations["deliverOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/orders/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel an order (support, admin) */
        post: operations["cancelOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/projections/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One read model's position, lag and rebuild progress (support, admin) */
        get: operations["projectionStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/projections/{name}/rebuild": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rebuild a read model (admin) */
        post: operations["rebuildProjection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/deadletters/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A dead letter with its payload (support, admin) */
        get: operations["deadLetter"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/deadletters/{id}/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a dead letter again (support, admin) */
        post: operations["redriveDeadLetter"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/sales": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Sales report: revenue, orders, refunds, conversion (admin)
         * @description Figures of the sales read model over the days `from`..`to` (inclusive, in the shop's time zone `SHOP_TIMEZONE`), broken down by day, product (SKU) or category. Revenue counts on the day an order is paid, refunds on the day they happen; amounts are minor units. Net is gross without tax; a product's figures count its lines after their share of a discount (orders placed before tax existed count net = gross). Answers CSV with `Accept: text/csv` or `format=csv`.
         */
        get: operations["adminSalesReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Webhook endpoints (admin) */
        get: operations["listWebhookEndpoints"];
        put?: never;
        /**
         * Register a webhook endpoint (admin)
         * @description The target is checked against server-side request forgery: it must be https (in server mode) and none of the addresses its host resolves to may be loopback, private, link-local, carrier-grade NAT, a cloud metadata address, unspecified or multicast, unless `WEBHOOK_ALLOW_NETS` allows it. The signing secret is in this answer only; keep it.
         */
        post: operations["createWebhookEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook endpoint (admin) */
        get: operations["getWebhookEndpoint"];
        /**
         * Change, enable or disable a webhook endpoint (admin)
         * @description Replaces the URL, description and event types; `enabled` keeps its value when left out. The secret cannot be changed (register a new endpoint). A disabled endpoint gets no new deliveries; those pending wait until it is enabled.
         */
        put: operations["updateWebhookEndpoint"];
        post?: never;
        /** Delete a webhook endpoint and its delivery log (admin) */
        delete: operations["deleteWebhookEndpoint"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint's delivery log, newest first (admin) */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/webhooks/{id}/deliveries/{deliveryId}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a delivery again (admin)
         * @description Whatever its status: the same body (same event id) is sent again, with a fresh day of retries.
         */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/notifications/back-in-stock/{sku}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Do I wait for this SKU?
         * @description Whether the signed-in customer asked to be emailed when the SKU is back in stock.
         */
        get: operations["getBackInStock"];
        put?: never;
        /**
         * Email me when it is back in stock
         * @description Opt in to one email when the SKU goes from none available to some again (the notifier sends it once per restock, with the unsubscribe link, then the request is done). Idempotent: a repeated request keeps the first one's place.
         */
        post: operations["subscribeBackInStock"];
        /**
         * Do not email me about this SKU
         * @description Withdraw the request. Idempotent.
         */
        delete: operations["unsubscribeBackInStock"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/shipping/methods": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Shipping methods to a country, priced
         * @description The shipping methods that deliver to `country`, each priced for a parcel of `weightGrams` and a gross basket subtotal `subtotal` (minor units): weight bands, free-from thresholds. Prices are gross or net as the shop's `PRICES_INCLUDE_TAX` says. A method whose last weight band is lighter than the parcel is left out.
         */
        get: operations["listShippingMethods"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/discounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Discount codes with their usage (admin)
         * @description Newest first.
         */
        get: operations["listDiscountCodes"];
        put?: never;
        /**
         * Create a discount code (admin)
         * @description A code is 3–32 of A-Z, 0-9, `-` and `_`, stored upper-case and matched case-insensitively. `percentage` codes take `percentOff` (1–100) off the eligible lines, `fixed` codes `amountOff`, `free_shipping` codes the delivery charge. `categories` restricts the code to lines of those catalog categories (exact names). `maxUses` and `maxUsesPerCustomer` of 0 are unlimited; a use counts from the order's placement (reserved) until it is cancelled (released), and becomes final when the order is paid.
         */
        post: operations["createDiscountCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/discounts/{code}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A discount code with its usage (admin) */
        get: operations["getDiscountCode"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Pause, resume or change a discount code (admin)
         * @description Fields left out stay as they are; `validFrom`, `validUntil` and `minSubtotal` may be null to remove them. The kind, amounts and categories are fixed once created (orders carry them): create a new code instead. Lowering `maxUses` below the uses taken refuses further uses; it never takes one back.
         */
        patch: operations["updateDiscountCode"];
        trace?: never;
    };
    "/api/admin/discounts/{code}/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Would this code apply to a basket? (admin)
         * @description Checks the code against a basket's subtotal, line categories and (optionally) customer now, exactly as the basket does, without taking a use. A refusal is a problem whose `type` is `urn:evshop:discount:` followed by its reason: `paused`, `not_yet_valid`, `expired`, `minimum_not_met`, `not_applicable` (no line in the code's categories, or another currency) answer 422; `used_up` and `customer_limit` (other orders hold the uses) answer 409. The basket and checkout answer the same problems, and `unknown` (422) for a code that does not exist.
         */
        post: operations["checkDiscountCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orders/{id}/invoice": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The order's invoice, printable
         * @description The invoice of one of my orders (staff: of any order) as a printable document. An order gets its invoice, numbered from the shop's gapless invoice sequence, once it is paid; until then this answers 404. A guest checkout's buyer opens it without a session through the order's signed link (`?token=`).
         */
        get: operations["getOrderInvoice"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orders/{id}/credit-notes/{number}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One credit note of the order, printable
         * @description The credit note numbered `number` of one of my orders (staff: of any order). Every refund of a paid order gets one, numbered from the shop's gapless credit-note sequence; the order's `creditNotes` list their numbers. A guest checkout's buyer opens it without a session through the order's signed link (`?token=`).
         */
        get: operations["getOrderCreditNote"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/basket/discount": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put a discount code in the basket
         * @description Checks the code against the basket (no use is taken: the checkout reserves one) and puts it in, replacing any other; the answer's estimate shows what it takes off. Guests may apply codes too (the per-customer limit is then decided at checkout, by email).
         */
        post: operations["applyBasketDiscount"];
        /** Take the discount code out of the basket */
        delete: operations["removeBasketDiscount"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/invitation/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept a staff invitation
         * @description Sets the first password from the invitation mail's link (`/accept-invite?token=…`): the token is single-use, expires after 7 days, and only the newest invitation of an account works. Accepting also verifies the address. It signs nobody in: sign in next with the new password.
         */
        post: operations["acceptStaffInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/staff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Staff: everyone holding the support or admin role (admin)
         * @description By email. `invitationPending` is true until an invited person chose their password; `since` is when each role was last granted (the account's creation for roles held from before grants were recorded).
         */
        get: operations["listStaff"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/staff/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Invite someone to the staff (admin)
         * @description An address with a verified account is granted the role at once (`granted`, or `unchanged` when it holds it) and told by mail. An unknown address gets an account and an invitation mail with a single-use link valid for 7 days to choose a password (`invited`, 201); an account not verified yet gets the role and a fresh link, which voids the previous one (`reinvited`). Inviting again is idempotent: nothing is recorded twice. Rate limited per admin and per invited address. `name` (optional) names a new account; it defaults to the address's local part.
         */
        post: operations["inviteStaff"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/staff/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Staff audit: every role grant and revocation (admin)
         * @description Newest first, read from the identity events (`RoleGranted`, `RoleRevoked`). `actor` is the admin's user id, `bootstrap` for the operator's admin bootstrap, or empty for grants recorded before actors were. Page with `before` = the previous page's `next`.
         */
        get: operations["staffAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/staff/{userId}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Grant a staff role (admin)
         * @description Grants `support` or `admin` to an existing account (granting a held role changes nothing) and tells the person by mail. The role reaches the person's session at its next refresh, so within the access token's lifetime (at most 15 minutes).
         */
        post: operations["grantStaffRole"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/staff/{userId}/roles/{role}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a staff role (admin)
         * @description Revokes `support` or `admin` (revoking a role not held changes nothing) and tells the person by mail. A revoked role stops working at the latest when the person's access token expires (at most 15 minutes): every refresh re-reads the roles. The last verified admin keeps the admin role (409).
         */
        delete: operations["revokeStaffRole"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products/{sku}/variants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add a variant to a product (admin)
         * @description Adds a SKU to the family of `{sku}`. It shares the family's name, description, category and tax class; price, weight, images and attributes default to `{sku}`'s. Field errors name `sku`, `options`, `productOptions`, `price` or `stock`.
         */
        post: operations["createVariant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products/{sku}/stock/movements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A product's stock movements, newest first (admin, support)
         * @description The durable history of every change of units on hand: adjustments, sales (on commit), returns put back, write-offs.
         */
        get: operations["stockMovements"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/catalog/products/{sku}/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Reorder or remove a product's images (admin)
         * @description images lists the product's images to keep, in order; each must be one of its current ones. Uploaded images left out are deleted.
         */
        put: operations["setProductImages"];
        /**
         * Upload a product image (admin)
         * @description The multipart field file must decode as a JPEG, PNG, GIF or WebP image (checked by content, not by name or declared type), at most CATALOG_IMAGE_MAX_BYTES and CATALOG_IMAGE_MAX_PIXELS. Its pixels are re-encoded (JPEG stays JPEG, the others become PNG), so EXIF, GPS and other metadata are dropped. Its URL is appended to the product's images (at most 8). The same picture again answers 200 and adds nothing.
         */
        post: operations["uploadProductImage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/orders/{id}/returns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The returns of my order and what is left to return */
        get: operations["listOrderReturns"];
        put?: never;
        /**
         * Ask to return units of a delivered order
         * @description Only the order's customer (staff read returns but do not ask for them). Within RETURN_WINDOW_DAYS of the delivery, one reason per request (a note is required with `other`), at most the units delivered minus those already asked back. The Idempotency-Key makes a retried request answer the same return (200).
         */
        post: operations["requestReturn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/returns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every return, newest first (support, admin) */
        get: operations["adminListReturns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/returns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One return (support, admin) */
        get: operations["adminGetReturn"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/returns/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a requested return (support, admin) */
        post: operations["adminApproveReturn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/returns/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a requested return with a reason the customer is told (support, admin) */
        post: operations["adminRejectReturn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/returns/{id}/receive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Receive an approved return's goods: per line, units restocked and written off; the refund goes to the payment (support, admin)
         * @description Admins only: receiving refunds the money, and refunds are for admins (support approves, rejects and reads returns).
         */
        post: operations["adminReceiveReturn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "order.paid.v1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An order was paid
         * @description POSTed to every enabled endpoint subscribed to `order.paid.v1`, at least once. Answer 2xx within 10 s; anything else (or no answer) is retried with exponential backoff and jitter for 24 h, then the delivery fails and an admin may redeliver it. Redirects are not followed.
         */
        post: operations["webhook_order_paid_v1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "order.shipped.v1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An order was shipped
         * @description POSTed to every enabled endpoint subscribed to `order.shipped.v1`, at least once. Answer 2xx within 10 s; anything else (or no answer) is retried with exponential backoff and jitter for 24 h, then the delivery fails and an admin may redeliver it. Redirects are not followed.
         */
        post: operations["webhook_order_shipped_v1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "order.cancelled.v1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An order was cancelled
         * @description POSTed to every enabled endpoint subscribed to `order.cancelled.v1`, at least once. Answer 2xx within 10 s; anything else (or no answer) is retried with exponential backoff and jitter for 24 h, then the delivery fails and an admin may redeliver it. Redirects are not followed.
         */
        post: operations["webhook_order_cancelled_v1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "refund.completed.v1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A refund was completed
         * @description POSTed to every enabled endpoint subscribed to `refund.completed.v1`, at least once. Answer 2xx within 10 s; anything else (or no answer) is retried with exponential backoff and jitter for 24 h, then the delivery fails and an admin may redeliver it. Redirects are not followed.
         */
        post: operations["webhook_refund_completed_v1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "return.received.v1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A return's goods were received
         * @description POSTed to every enabled endpoint subscribed to `return.received.v1`, at least once. Answer 2xx within 10 s; anything else (or no answer) is retried with exponential backoff and jitter for 24 h, then the delivery fails and an admin may redeliver it. Redirects are not followed.
         */
        post: operations["webhook_return_received_v1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @description RFC 9457 problem details */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
            errors?: {
                field: string;
                reason: string;
            }[];
        };
        Status: {
            status: string;
            detail?: string;
        };
        CSRFToken: {
            token: string;
            /** @constant */
            headerName: "X-CSRF-Token";
        };
        RegisterRequest: {
            /** Format: email */
            email: string;
            password: string;
            name: string;
        };
        LoginRequest: {
            /** Format: email */
            email: string;
            password: string;
        };
        TokenRequest: {
            token: string;
        };
        ForgotRequest: {
            /** Format: email */
            email: string;
        };
        ResetRequest: {
            token: string;
            password: string;
        };
        ChangePasswordRequest: {
            currentPassword: string;
            newPassword: string;
        };
        User: {
            id: string;
            /** Format: email */
            email: string;
            name: string;
            roles: ("customer" | "support" | "admin")[];
            emailVerified: boolean;
            /** Format: date-time */
            createdAt?: string;
        };
        Session: {
            user: components["schemas"]["User"];
            /** Format: date-time */
            accessTokenExpiresAt: string;
        };
        JWKS: {
            keys: {
                /** @constant */
                kty?: "OKP";
                /** @constant */
                crv?: "Ed25519";
                x?: string;
                kid?: string;
                /** @constant */
                alg?: "EdDSA";
                /** @constant */
                use?: "sig";
            }[];
        };
        Money: {
            /** @description Minor units (cents) */
            amount: number;
            currency: string;
        };
        Category: {
            name: string;
            /** @description Products in it */
            count: number;
        };
        Product: {
            sku: string;
            name: string;
            description: string;
            category: string;
            price: components["schemas"]["Money"];
            images: string[];
            /** @description Units available to buy (on hand minus reserved) */
            stock: number;
            attributes: {
                [key: string]: unknown;
            };
            archived: boolean;
            version: number;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description Staff only */
            onHand?: number;
            /** @description Staff only */
            reserved?: number;
            taxClass: components["schemas"]["TaxClass"];
            /** @description Shipping weight in grams */
            weightGrams: number;
            /** @description The product family: the SKU it started from (a single-SKU product's own SKU) */
            productId: string;
            /** @description This SKU's option values; empty for a single-SKU product */
            selectedOptions: components["schemas"]["Option"][];
            /** @description The name with the variant's option label ("Tee — M / Red"), as basket lines, orders and emails show it */
            displayName: string;
            /** @description Listings: the lowest price among the family's variants on sale */
            fromPrice?: components["schemas"]["Money"];
            /** @description Listings: the highest price among them */
            toPrice?: components["schemas"]["Money"];
            /** @description Listings: the family's variants on sale (stock is then available units across them) */
            variantCount?: number;
            /** @description Detail: the family's options with their values */
            options?: components["schemas"]["OptionValues"][];
            /** @description Detail: the family's variants on sale (staff: archived too) */
            variants?: components["schemas"]["Variant"][];
        };
        ProductPage: {
            items: components["schemas"]["Product"][];
            page: number;
            pageSize: number;
            total: number;
        };
        Basket: {
            lines: components["schemas"]["BasketLine"][];
            /** @description null for an empty basket */
            total: components["schemas"]["Money"] | null;
            itemCount: number;
            /** @description The basket stream's revision, also sent as the ETag; send it back in If-Match */
            revision: number;
            /** @description The discount code in the basket, with what it takes off (null: none). Checked when applied; the checkout reserves it again, which decides. */
            discount: components["schemas"]["OrderDiscount"] | null;
            /** @description null for an empty basket. Writes answer with the estimate for their `?country=`/`?shippingMethod=` when the shop can price them, else for the shop's country. */
            estimate: components["schemas"]["BasketEstimate"] | null;
        };
        AddItemRequest: {
            sku: string;
            quantity: number;
        };
        QuantityRequest: {
            quantity: number;
        };
        Address: {
            name: string;
            line1: string;
            line2: string;
            city: string;
            postalCode: string;
            country: string;
        };
        CheckoutRequest: {
            shippingAddress: components["schemas"]["AddressInput"];
            payment: {
                /**
                 * @description One of the shop's `paymentMethods` (GET /api/config); any other is refused with 422 before an order exists
                 * @enum {string}
                 */
                method: "sandbox" | "stripe" | "paypal";
                /** @description Sandbox only: a test card number, tokenized at once and never stored */
                cardNumber?: string;
            };
            /** @description Guest checkout only (no session): the buyer's address, required then; the order and its emails go to it, and it becomes the guest's identity (the orders appear in the account that later registers and verifies this address). Refused with 422 when signed in: the order then goes to the account's verified address. */
            email?: string;
            /** @description Id of a shipping method serving the address (the basket estimate's `shippingMethods`); required when the shop has shipping methods. One that does not serve the destination or the parcel is refused with 422 (`shippingMethod`). */
            shippingMethod?: string;
            /** @description A B2B buyer's VAT ID (country prefix and 2–13 letters or digits; spaces, dots and dashes dropped), printed on the invoice */
            vatId?: string;
        };
        OrderLine: {
            sku: string;
            name: string;
            category: string;
            quantity: number;
            unitPrice: components["schemas"]["Money"];
            taxClass?: components["schemas"]["TaxClass"];
            weightGrams?: number;
        };
        Order: components["schemas"]["OrderSummary"] & {
            shippingAddress: components["schemas"]["Address"];
            paymentMethod: string;
            paymentLast4?: string;
            paymentId?: string;
            carrier?: string;
            trackingNumber?: string;
            cancelReason?: string;
            refunded?: components["schemas"]["Money"];
            version: number;
            lines: components["schemas"]["OrderLine"][];
            history: {
                status: components["schemas"]["OrderStatus"];
                reason?: string;
                /** Format: date-time */
                at: string;
            }[];
            /** @description Chosen shipping method id (absent: none) */
            shippingMethod?: string;
            discount?: components["schemas"]["OrderDiscount"];
            /** @description B2B buyer's VAT ID */
            vatId?: string;
            /** @description Placed without an account */
            guest?: boolean;
            /** @description Absent for orders placed before tax and shipping existed (their total is the sum of their lines) */
            breakdown?: components["schemas"]["PriceBreakdown"];
            invoice?: components["schemas"]["OrderInvoiceRef"];
            /** @description Credit notes, in the order they were issued */
            creditNotes?: components["schemas"]["OrderCreditNoteRef"][];
        };
        Payment: {
            paymentId: string;
            orderId: string;
            customerId: string;
            method: string;
            last4?: string;
            /** @enum {string} */
            status: "new" | "requested" | "action_required" | "authorized" | "failed" | "voided" | "captured" | "partially_refunded" | "refunded";
            amount: components["schemas"]["Money"];
            /** @description Minor units captured */
            captured: number;
            /** @description Minor units refunded */
            refunded: number;
            failCode?: string;
            reason?: string;
            version: number;
            /** Format: date-time */
            updatedAt: string;
            ledger: components["schemas"]["LedgerEntry"][];
        };
        ClientProfile: {
            name: string;
            phone: string;
            addresses: components["schemas"]["ProfileAddress"][];
        };
        ClientProfileInput: {
            name?: string;
            phone?: string;
            addresses?: components["schemas"]["ProfileAddressInput"][];
        };
        Preferences: {
            language: string;
            currency: string;
            marketingOptIn: boolean;
            favouriteCategories: string[];
            /** @description Free-form key/value preferences */
            extra: {
                [key: string]: string;
            };
        };
        ProjectionStatus: {
            name: string;
            /** @description Global position of the last event applied */
            checkpoint: number;
            /** @description Global position of the newest event in the store */
            head: number;
            lagEvents: number;
            /** @description The lag count stopped at the scan limit */
            lagCapped?: boolean;
            lagSeconds: number;
            state: string;
            rebuild?: {
                name?: string;
                state?: string;
                phase?: string;
                /** Format: date-time */
                startedAt?: string;
                /** Format: date-time */
                updatedAt?: string;
                applied?: number;
                from?: number;
            };
        };
        DeadLetter: {
            id: string;
            messageId: string;
            handler: string;
            topic: string;
            reason: string;
            /** @description Event or command type */
            name?: string;
            /** Format: date-time */
            failedAt: string;
            /** @description Only on GET /{id}; secrets redacted */
            payload?: string;
            metadata?: {
                [key: string]: string;
            };
        };
        TimelineEntry: {
            type: string;
            /** Format: date-time */
            at: string;
            position: number;
            revision: number;
            stream: string;
            data?: unknown;
        };
        OrderStatusChange: {
            orderId: string;
            status: string;
        };
        ProductInput: {
            /** @description Create only */
            sku?: string;
            name: string;
            description?: string;
            category: string;
            price: components["schemas"]["Money"];
            images?: string[];
            attributes?: {
                [key: string]: unknown;
            };
            /** @description Create only: initial stock */
            stock?: number;
            /** @description Update only: the version read (optimistic concurrency) */
            version?: number;
            /** @description Default (absent): standard */
            taxClass?: components["schemas"]["TaxClass"];
            /** @description Shipping weight in grams; default (absent): 0 */
            weightGrams?: number;
            /** @description Update only: this SKU's option values (absent: unchanged); every variant of a family has the same option names and no two the same values */
            options?: components["schemas"]["Option"][];
        };
        PublicConfig: {
            paymentMethods: ("sandbox" | "stripe" | "paypal")[];
            /**
             * @description The first of paymentMethods (kept for older storefronts)
             * @enum {string}
             */
            paymentGateway: "sandbox" | "stripe" | "paypal";
            stripePublishableKey?: string;
        };
        FailedNotification: {
            [key: string]: unknown;
        };
        ProfileAddress: {
            id: string;
            label: string;
            default: boolean;
            name: string;
            line1: string;
            line2: string;
            city: string;
            postalCode: string;
            country: string;
        };
        BasketLine: {
            sku: string;
            name: string;
            category: string;
            quantity: number;
            unitPrice: components["schemas"]["Money"];
            lineTotal: components["schemas"]["Money"];
        };
        /**
         * @description Placed until the checkout has reserved the stock and captured the payment (the checkout's own steps are not order statuses), then Paid, or Cancelled with a reason. PartiallyRefunded: some refunds went back, less than the total; Refunded once the whole total is back. A partially refunded order is still shipped and delivered. Orders stored by earlier versions in StockReserved, PaymentAuthorized or Confirmed read as Placed.
         * @enum {string}
         */
        OrderStatus: "Placed" | "Paid" | "Shipped" | "Delivered" | "Cancelled" | "Refunded" | "PartiallyRefunded";
        OrderSummary: {
            orderId: string;
            customerId: string;
            email: string;
            status: components["schemas"]["OrderStatus"];
            total: components["schemas"]["Money"];
            itemCount: number;
            /** Format: date-time */
            placedAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        OrderPage: {
            items: components["schemas"]["OrderSummary"][];
            page: number;
            pageSize: number;
            total: number;
        };
        LedgerEntry: {
            revision: number;
            /** @enum {string} */
            kind: "requested" | "action_required" | "authorized" | "failed" | "captured" | "voided" | "refunded";
            amount: components["schemas"]["Money"];
            code?: string;
            reason?: string;
            gatewayRef?: string;
            /** Format: date-time */
            at: string;
        };
        PreferencesInput: {
            language?: string;
            currency?: string;
            marketingOptIn?: boolean;
            favouriteCategories?: string[];
            /** @description Free-form key/value preferences */
            extra?: {
                [key: string]: string;
            };
        };
        ProfileAddressInput: {
            id?: string;
            label?: string;
            default?: boolean;
            name: string;
            line1: string;
            line2?: string;
            city: string;
            postalCode: string;
            country: string;
        };
        AddressInput: {
            name: string;
            line1: string;
            line2?: string;
            city: string;
            postalCode: string;
            country: string;
        };
        SalesTotals: {
            /** @description ISO 4217; empty on a day without sales */
            currency: string;
            /**
             * Format: int64
             * @description paid orders
             */
            orders: number;
            /**
             * Format: int64
             * @description minor units
             */
            gross: number;
            /**
             * Format: int64
             * @description minor units; equals gross until orders carry tax
             */
            net: number;
            /**
             * Format: int64
             * @description gross / orders, rounded half up
             */
            averageOrderValue: number;
            /** Format: int64 */
            refunds: number;
            /**
             * Format: int64
             * @description minor units refunded
             */
            refunded: number;
            /** @description refunds / orders of the same period */
            refundRate: number;
        };
        SalesConversion: {
            /**
             * Format: int64
             * @description distinct baskets with an item added
             */
            basketsFilled: number;
            /**
             * Format: int64
             * @description distinct baskets checked out
             */
            basketsCheckedOut: number;
            rate: number;
        };
        SalesDayRow: {
            /** Format: date */
            day: string;
            /** @description ISO 4217; empty on a day without sales */
            currency: string;
            /**
             * Format: int64
             * @description paid orders
             */
            orders: number;
            /**
             * Format: int64
             * @description minor units
             */
            gross: number;
            /**
             * Format: int64
             * @description minor units; equals gross until orders carry tax
             */
            net: number;
            /**
             * Format: int64
             * @description gross / orders, rounded half up
             */
            averageOrderValue: number;
            /** Format: int64 */
            refunds: number;
            /**
             * Format: int64
             * @description minor units refunded
             */
            refunded: number;
            /** @description refunds / orders of the same period */
            refundRate: number;
            /**
             * Format: int64
             * @description distinct baskets with an item added
             */
            basketsFilled: number;
            /**
             * Format: int64
             * @description distinct baskets checked out
             */
            basketsCheckedOut: number;
            rate: number;
        };
        SalesItemRow: {
            sku?: string;
            name?: string;
            category: string;
            currency: string;
            /** Format: int64 */
            quantity: number;
            /** Format: int64 */
            orders: number;
            /** Format: int64 */
            gross: number;
            /** Format: int64 */
            net: number;
        };
        SalesReport: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            timeZone: string;
            /** @enum {string} */
            by: "day" | "product" | "category";
            /** @description one per currency */
            totals: components["schemas"]["SalesTotals"][];
            conversion: components["schemas"]["SalesConversion"];
            /** @description by=day: every day of the period */
            days?: components["schemas"]["SalesDayRow"][];
            /** @description by=product: by gross revenue */
            products?: components["schemas"]["SalesItemRow"][];
            /** @description by=category: by gross revenue */
            categories?: components["schemas"]["SalesItemRow"][];
        };
        /**
         * @description Public event types. `return.received.v1` may be subscribed to already; it is emitted once returns exist in the shop.
         * @enum {string}
         */
        WebhookEventType: "order.paid.v1" | "order.shipped.v1" | "order.cancelled.v1" | "refund.completed.v1" | "return.received.v1";
        WebhookEndpoint: {
            /** Format: uuid */
            id: string;
            /** Format: uri */
            url: string;
            description: string;
            eventTypes: components["schemas"]["WebhookEventType"][];
            enabled: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        WebhookEndpointCreated: {
            /** Format: uuid */
            id: string;
            /** Format: uri */
            url: string;
            description: string;
            eventTypes: components["schemas"]["WebhookEventType"][];
            enabled: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** @description Signing secret (HMAC-SHA256 key of Evshop-Signature); shown only here */
            secret: string;
        };
        WebhookEndpointInput: {
            /** @description https URL (plain http only to WEBHOOK_ALLOW_NETS in server mode); no credentials, no fragment */
            url: string;
            description?: string;
            eventTypes: components["schemas"]["WebhookEventType"][];
            /** @description Default: true on registration, unchanged on a change */
            enabled?: boolean;
            /** @description Registration only: your own signing secret (printable ASCII, no spaces); left out, one is generated */
            secret?: string;
        };
        WebhookDelivery: {
            /** Format: uuid */
            id: string;
            /** @description The event's id (Evshop-Event-Id): the same on every retry and redelivery */
            eventId: string;
            eventType: components["schemas"]["WebhookEventType"];
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
            attempts: number;
            /**
             * Format: date-time
             * @description When a pending delivery is tried next
             */
            nextAttemptAt?: string;
            /**
             * Format: date-time
             * @description Retries stop after it and the delivery fails
             */
            deadline: string;
            /** Format: date-time */
            lastAttemptAt?: string;
            /** @description HTTP status of the last attempt (absent when none came back) */
            lastStatus?: number;
            lastError?: string;
            /** Format: date-time */
            createdAt: string;
            /** @description The exact body sent (one of the webhooks section's payloads) */
            payload: {
                [key: string]: unknown;
            };
        };
        WebhookMoney: {
            /** @description Amount in minor units (cents) */
            minor: number;
            currency: string;
        };
        /** @description order.paid.v1: the order's payment was captured. */
        WebhookOrderPaid: {
            /** @description Event id, also in Evshop-Event-Id: dedupe by it (deliveries are at least once) */
            id: string;
            /** @constant */
            type: "order.paid.v1";
            /**
             * Format: date-time
             * @description When it happened in the shop
             */
            createdAt: string;
            data: {
                orderId: string;
                paymentId: string;
                amount: components["schemas"]["WebhookMoney"];
            };
        };
        /** @description order.shipped.v1: the order was handed to a carrier. */
        WebhookOrderShipped: {
            /** @description Event id, also in Evshop-Event-Id: dedupe by it (deliveries are at least once) */
            id: string;
            /** @constant */
            type: "order.shipped.v1";
            /**
             * Format: date-time
             * @description When it happened in the shop
             */
            createdAt: string;
            data: {
                orderId: string;
                carrier: string;
                trackingNumber: string;
            };
        };
        /** @description order.cancelled.v1: the order was cancelled before payment. */
        WebhookOrderCancelled: {
            /** @description Event id, also in Evshop-Event-Id: dedupe by it (deliveries are at least once) */
            id: string;
            /** @constant */
            type: "order.cancelled.v1";
            /**
             * Format: date-time
             * @description When it happened in the shop
             */
            createdAt: string;
            data: {
                orderId: string;
                reason: string;
            };
        };
        /** @description refund.completed.v1: money (part or all of the payment) went back to the customer. */
        WebhookRefundCompleted: {
            /** @description Event id, also in Evshop-Event-Id: dedupe by it (deliveries are at least once) */
            id: string;
            /** @constant */
            type: "refund.completed.v1";
            /**
             * Format: date-time
             * @description When it happened in the shop
             */
            createdAt: string;
            data: {
                /** @description Absent for refunds recorded before refunds had ids */
                refundId?: string;
                orderId: string;
                paymentId: string;
                amount: components["schemas"]["WebhookMoney"];
                reason: string;
            };
        };
        /** @description return.received.v1: the goods of a return arrived: per line the units put back into stock and written off as damaged, and the refund the return is owed (its refund.completed.v1 follows, refundId return-<returnId>). */
        WebhookReturnReceived: {
            /** @description Event id, also in Evshop-Event-Id: dedupe by it (deliveries are at least once) */
            id: string;
            /** @constant */
            type: "return.received.v1";
            /**
             * Format: date-time
             * @description When it happened in the shop
             */
            createdAt: string;
            data: {
                returnId: string;
                orderId: string;
                lines: {
                    sku: string;
                    restock: number;
                    damaged: number;
                }[];
                refund: components["schemas"]["WebhookMoney"];
            };
        };
        BackInStock: {
            /** @description The SKU, upper-cased */
            sku: string;
            /** @description true while an email is due when the SKU is back in stock */
            subscribed: boolean;
        };
        /**
         * @description Product tax class: its rate depends on the destination country (docs/pricing.md)
         * @enum {string}
         */
        TaxClass: "standard" | "reduced" | "zero";
        PriceBreakdownLine: {
            sku: string;
            quantity: number;
            unitPrice: components["schemas"]["Money"];
            taxClass: components["schemas"]["TaxClass"];
            /** @description Tax rate in basis points (1900 = 19 %) */
            rateBp: number;
            /** @description Unit price × quantity as entered (gross or net, see pricesIncludeTax) */
            amount: components["schemas"]["Money"];
            /** @description This line's share of the discount, as entered */
            discount: components["schemas"]["Money"];
            net: components["schemas"]["Money"];
            tax: components["schemas"]["Money"];
            gross: components["schemas"]["Money"];
        };
        PriceBreakdownShipping: {
            method: string;
            name: string;
            taxClass: components["schemas"]["TaxClass"];
            rateBp: number;
            /** @description The method's price as entered */
            amount: components["schemas"]["Money"];
            /** @description Taken off by a free-shipping code */
            discount: components["schemas"]["Money"];
            net: components["schemas"]["Money"];
            tax: components["schemas"]["Money"];
            gross: components["schemas"]["Money"];
        };
        PriceBreakdownRate: {
            rateBp: number;
            net: components["schemas"]["Money"];
            tax: components["schemas"]["Money"];
            gross: components["schemas"]["Money"];
        };
        /** @description What an order charges: per line and shipping net, tax and gross, tax per rate, totals (minor units). Tax is rounded per line, half up. */
        PriceBreakdown: {
            currency: string;
            /** @description Destination the tax rates are those of */
            country: string;
            /** @description Prices were entered gross (tax-inclusive) or net */
            pricesIncludeTax: boolean;
            lines: components["schemas"]["PriceBreakdownLine"][];
            shipping?: components["schemas"]["PriceBreakdownShipping"];
            discountCode?: string;
            /** @description Net, tax and gross of lines and shipping per rate, highest rate first */
            taxRates: components["schemas"]["PriceBreakdownRate"][];
            /** @description Sum of the line grosses (after discounts) */
            subtotal: components["schemas"]["Money"];
            /** @description Everything taken off, lines and shipping, as entered */
            discount: components["schemas"]["Money"];
            net: components["schemas"]["Money"];
            tax: components["schemas"]["Money"];
            /** @description The total charged: line grosses plus shipping gross */
            gross: components["schemas"]["Money"];
        };
        /** @description The discount code an order was placed with */
        OrderDiscount: {
            code: string;
            /** @enum {string} */
            kind: "percentage" | "fixed" | "free_shipping";
            percentOff?: number;
            amountOff?: components["schemas"]["Money"];
            /** @description Only lines of these categories; absent: all */
            categories?: string[];
        };
        ShippingMethodOffer: {
            id: string;
            name: string;
            /** @description For the asked weight and subtotal; gross or net as pricesIncludeTax says */
            price: components["schemas"]["Money"];
            taxClass: components["schemas"]["TaxClass"];
            /** @description Tax rate of the shipping charge at the destination */
            rateBp: number;
            /** @description A gross subtotal from which this method ships free */
            freeFrom?: components["schemas"]["Money"];
        };
        ShippingMethodList: {
            country: string;
            currency: string;
            pricesIncludeTax: boolean;
            methods: components["schemas"]["ShippingMethodOffer"][];
        };
        /** @description A code's uses by state */
        DiscountUsage: {
            /** @description Orders placed with the code, not paid yet */
            reserved: number;
            /** @description Paid orders: final uses */
            used: number;
            /** @description Uses given back by cancelled orders or failed placements */
            released: number;
            /** @description Uses left, for a code with maxUses */
            remaining?: number;
        };
        DiscountCode: {
            code: string;
            /** @enum {string} */
            kind: "percentage" | "fixed" | "free_shipping";
            /** @description What the code takes off, e.g. "10% off" */
            description: string;
            percentOff?: number;
            amountOff?: components["schemas"]["Money"];
            /** Format: date-time */
            validFrom?: string;
            /** Format: date-time */
            validUntil?: string;
            minSubtotal?: components["schemas"]["Money"];
            /** @description 0: unlimited */
            maxUses: number;
            /** @description 0: unlimited */
            maxUsesPerCustomer: number;
            categories: string[];
            paused: boolean;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            usage: components["schemas"]["DiscountUsage"];
        };
        DiscountCodeInput: {
            /** @description 3–32 of A-Z, 0-9, - and _ (any case; stored upper-case) */
            code: string;
            kind: string;
            /** @description 1–100, percentage codes only */
            percentOff?: number;
            amountOff?: components["schemas"]["Money"];
            /** Format: date-time */
            validFrom?: string;
            /** Format: date-time */
            validUntil?: string;
            minSubtotal?: components["schemas"]["Money"];
            /** @description 0 (default): unlimited */
            maxUses?: number;
            /** @description 0 (default): unlimited */
            maxUsesPerCustomer?: number;
            categories?: string[];
            paused?: boolean;
        };
        /** @description Fields left out stay; null removes a window side or the minimum */
        DiscountCodeChange: {
            paused?: boolean;
            validFrom?: string | null;
            validUntil?: string | null;
            minSubtotal?: components["schemas"]["Money"] | null;
            maxUses?: number;
            maxUsesPerCustomer?: number;
        };
        DiscountCheckInput: {
            subtotal: components["schemas"]["Money"];
            /** @description The categories of the basket's lines */
            categories?: string[];
            /** @description The customer (account id or e-mail) whose own limit is checked; empty: not checked */
            customerKey?: string;
        };
        /** @description The order's invoice, once issued (after payment). */
        OrderInvoiceRef: {
            /** @description Printed number, e.g. INV-000042 (gapless per shop) */
            number: string;
            /** Format: date-time */
            issuedAt: string;
        };
        /** @description The credit note of one refund. */
        OrderCreditNoteRef: {
            /** @description Printed number, e.g. CN-000007 (gapless per shop) */
            number: string;
            refundId: string;
            amount: components["schemas"]["Money"];
            /** Format: date-time */
            issuedAt: string;
        };
        /** @description A printable invoice or credit note. An invoice lists the order's lines, its total (and tax breakdown when the order has one) and the credit notes issued against it; a credit note names the invoice it corrects, the refund, and the amount refunded as its total, with no lines. */
        OrderDocument: {
            /** @enum {string} */
            kind: "invoice" | "credit-note";
            /** @description Printed number: INVOICE_PREFIX or CREDIT_NOTE_PREFIX, then the gapless sequence number zero-padded to 6 digits */
            number: string;
            /** Format: date-time */
            issuedAt: string;
            orderId: string;
            /** Format: date-time */
            orderedAt: string;
            /** @description The shop (settings SELLER_NAME, SELLER_ADDRESS, SELLER_VAT_ID, SELLER_EMAIL) */
            seller: {
                name: string;
                /** @description Address lines */
                address: string[];
                vatId?: string;
                email?: string;
            };
            buyer: {
                customerId: string;
                name: string;
                address: components["schemas"]["Address"];
                email: string;
                /** @description The buyer's VAT ID (B2B), when the order has one */
                vatId?: string;
            };
            lines: {
                sku: string;
                name: string;
                quantity: number;
                unitPrice: components["schemas"]["Money"];
                total: components["schemas"]["Money"];
            }[];
            total: components["schemas"]["Money"];
            paymentMethod: string;
            /** @description Credit notes: the invoice they correct */
            invoiceNumber?: string;
            /** @description Credit notes: the refund they document */
            refundId?: string;
            /** @description Invoices: the credit notes issued against them */
            creditNotes?: {
                number: string;
                amount: components["schemas"]["Money"];
                /** Format: date-time */
                issuedAt: string;
            }[];
            /** @description Invoices: the shipping method the order was placed with, when it has one */
            shippingMethod?: string;
            /** @description Invoices: net, tax per rate and gross of lines and shipping, when the order was priced with tax (orders placed before tax existed have none) */
            breakdown?: components["schemas"]["PriceBreakdown"];
        };
        /** @description A basket line whose price changed since it was added. The basket now holds the new price (or no longer holds the line). */
        ChangedLine: {
            sku: string;
            name: string;
            quantity: number;
            oldUnitPrice: components["schemas"]["Money"];
            /** @description The catalog's current unit price; null when the product is no longer sold (the line was removed) */
            newUnitPrice: components["schemas"]["Money"] | null;
            /** @description true: the product is archived or gone from the catalog, and the line was removed */
            removed: boolean;
        };
        /** @description A checkout refusal. `changedLines` is present when prices changed since the lines were added (409): the basket has been brought to the current prices (its new ETag is in the answer), no order was placed, and checking out again (with the same or a new Idempotency-Key, If-Match the new ETag) accepts them. `reason` is present when the basket's discount code was refused as its use was reserved (see DiscountProblem): 409 used_up or customer_limit, else 422; the basket is left as it was. */
        CheckoutProblem: components["schemas"]["Problem"] & {
            changedLines?: components["schemas"]["ChangedLine"][];
            /** @enum {string} */
            reason?: "unknown" | "paused" | "not_yet_valid" | "expired" | "minimum_not_met" | "used_up" | "customer_limit" | "not_applicable";
        };
        /** @description A shipping method serving the estimate's destination, priced for this basket (its weight and subtotal) */
        BasketShippingOffer: {
            id: string;
            name: string;
            /** @description Gross or net as the shop's prices; zero when free (threshold reached, pickup) */
            price: components["schemas"]["Money"];
        };
        /** @description The basket priced as an order would be now: tax of the destination country, the chosen shipping method (if any) and the basket's discount code. The checkout prices the order again from the catalog's current prices. */
        BasketEstimate: {
            /** @description The destination: `?country=`, else the shop's country (SHOP_COUNTRY) */
            country: string;
            /** @description The method priced in (`?shippingMethod=`); absent: no shipping yet */
            shippingMethod?: string;
            breakdown: components["schemas"]["PriceBreakdown"];
            shippingMethods: components["schemas"]["BasketShippingOffer"][];
        };
        DiscountCodeRequest: {
            /** @description As the buyer typed it (case-insensitive) */
            code: string;
        };
        /** @description A refused discount code. `type` is `urn:evshop:discount:<reason>`; `reason` the same stable machine name: unknown, paused, not_yet_valid, expired, minimum_not_met, not_applicable (422) or used_up, customer_limit (409: other uses came first). */
        DiscountProblem: components["schemas"]["Problem"] & {
            /** @enum {string} */
            reason?: "unknown" | "paused" | "not_yet_valid" | "expired" | "minimum_not_met" | "used_up" | "customer_limit" | "not_applicable";
        };
        CustomerSummary: {
            id: string;
            email: string;
            name: string;
            /** Format: date-time */
            createdAt: string;
        };
        CustomerPage: {
            items: components["schemas"]["CustomerSummary"][];
            page: number;
            pageSize: number;
            total: number;
        };
        CustomerErasure: {
            /** Format: date-time */
            at: string;
            /** @description User id of who asked: the customer, or an admin */
            by: string;
            /** @description The customer erased their own data */
            byCustomer: boolean;
        };
        Customer: {
            id: string;
            /** @description Empty once erased */
            email: string;
            /** @description Empty once erased */
            name: string;
            /** @description Null once erased */
            profile: components["schemas"]["ClientProfile"] | null;
            preferences: components["schemas"]["Preferences"];
            erased: boolean;
            /** @description Oldest first */
            erasures: components["schemas"]["CustomerErasure"][];
            /**
             * Format: date-time
             * @description Absent once erased
             */
            createdAt?: string;
            /**
             * Format: date-time
             * @description Absent once erased
             */
            updatedAt?: string;
        };
        /** @enum {string} */
        StaffRole: "support" | "admin";
        StaffMember: {
            id: string;
            email: string;
            name: string;
            emailVerified: boolean;
            /** @description Invited and not yet accepted: cannot sign in yet */
            invitationPending: boolean;
            roles: {
                role: components["schemas"]["StaffRole"];
                /** Format: date-time */
                since: string;
            }[];
        };
        StaffInvitationInput: {
            email: string;
            role: components["schemas"]["StaffRole"];
            name?: string;
        };
        StaffInvitationResult: {
            /** @enum {string} */
            status: "invited" | "reinvited" | "granted" | "unchanged";
            member: components["schemas"]["StaffMember"];
        };
        StaffRoleInput: {
            role: components["schemas"]["StaffRole"];
        };
        StaffAuditEntry: {
            /** @description The event id */
            id: string;
            /** @enum {string} */
            action: "granted" | "revoked";
            role: string;
            userId: string;
            email: string;
            name: string;
            /** @description The admin's user id, `bootstrap`, or empty for grants recorded before actors were */
            actor: string;
            actorEmail?: string;
            viaInvitation: boolean;
            /** Format: date-time */
            at: string;
        };
        StaffAudit: {
            items: components["schemas"]["StaffAuditEntry"][];
            /** @description `before` of the next (older) page; absent on the last */
            next?: number;
        };
        Option: {
            /** @description Option name, e.g. Size */
            name: string;
            /** @description This variant's value, e.g. M */
            value: string;
        };
        OptionValues: {
            name: string;
            /** @description In the order the variants were added */
            values: string[];
        };
        Variant: {
            sku: string;
            options: components["schemas"]["Option"][];
            price: components["schemas"]["Money"];
            /** @description Units available to buy */
            stock: number;
            images: string[];
            /** @description Only staff see archived variants */
            archived: boolean;
            version: number;
            /** @description Staff only */
            onHand?: number;
            /** @description Staff only */
            reserved?: number;
        };
        VariantInput: {
            /** @description The new variant's SKU */
            sku: string;
            /** @description Its option values: the family's option names, a combination no variant on sale has */
            options: components["schemas"]["Option"][];
            /** @description Required when the product has no options yet (its first variant): the product's own values; refused otherwise */
            productOptions?: components["schemas"]["Option"][];
            /** @description Default: the product's */
            price?: components["schemas"]["Money"];
            /** @description Default: the product's */
            weightGrams?: number;
            /** @description Default: the product's */
            images?: string[];
            /** @description Default: the product's */
            attributes?: {
                [key: string]: unknown;
            };
            /** @description Initial units on hand */
            stock?: number;
        };
        /** @description One change of a SKU's units on hand. Sales are recorded with reason sold and ref order:<id>; a written_off record with delta 0 notes returned units that never went back on hand (quantity says how many). */
        StockMovement: {
            /**
             * Format: uuid
             * @description derived from sku and ref: the same ref is one movement
             */
            id: string;
            sku: string;
            /** @description change of units on hand (negative: out) */
            delta: number;
            quantity: number;
            /** @enum {string} */
            reason: "received" | "correction" | "damaged" | "lost" | "returned" | "written_off" | "other" | "sold";
            note: string;
            /** @description user id of the staff member, or system */
            actor: string;
            ref: string;
            /** @description units on hand right after, when known */
            onHandAfter: number | null;
            /** Format: date-time */
            at: string;
        };
        StockMovementPage: {
            items: components["schemas"]["StockMovement"][];
            page: number;
            pageSize: number;
            total: number;
        };
        /** @enum {string} */
        ReturnReason: "damaged" | "defective" | "wrong_item" | "not_as_described" | "no_longer_needed" | "other";
        /** @enum {string} */
        ReturnStatus: "Requested" | "Approved" | "Rejected" | "Received" | "Refunded";
        Return: {
            id: string;
            orderId: string;
            customerId: string;
            /** @description Staff views only */
            email?: string;
            status: components["schemas"]["ReturnStatus"];
            lines: {
                sku: string;
                name: string;
                quantity: number;
            }[];
            reason: components["schemas"]["ReturnReason"];
            note?: string;
            /** Format: date-time */
            requestedAt: string;
            /** Format: date-time */
            decidedAt?: string;
            rejectReason?: string;
            received: {
                sku: string;
                restock: number;
                damaged: number;
                refund: components["schemas"]["Money"];
            }[];
            /** @description Once received: the lines' shares plus shippingRefund */
            refund?: components["schemas"]["Money"];
            shippingRefund?: components["schemas"]["Money"];
            /** @description Once refunded: the payment's refund id (return-<returnId>) */
            refundId?: string;
        };
        OrderReturns: {
            items: components["schemas"]["Return"][];
            lines: {
                sku: string;
                name: string;
                ordered: number;
                /** @description Units not asked back yet (rejected requests free theirs) */
                returnable: number;
            }[];
            /** Format: date-time */
            deliveredAt?: string;
            /**
             * Format: date-time
             * @description End of the return window (RETURN_WINDOW_DAYS after delivery)
             */
            closesAt?: string;
            /** @description Delivered and within the window */
            open: boolean;
        };
    };
    responses: {
        /** @description Rate limited */
        TooManyRequests: {
            headers: {
                /** @description Seconds to wait */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description The token from GET /api/auth/csrf */
        CSRFToken: string;
        /** @description `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Recompute it over the raw body, compare in constant time, and refuse timestamps more than 5 minutes away. See docs/webhooks.md. */
        WebhookSignature: string;
        /** @description The event id (as in the body): the same on every retry; dedupe by it. */
        WebhookEventId: string;
        WebhookEventType: components["schemas"]["WebhookEventType"];
        /** @description This delivery (one event to one endpoint), as in the back office's log. */
        WebhookDeliveryId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getCsrfToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CSRFToken"];
                };
            };
        };
    };
    register: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterRequest"];
            };
        };
        responses: {
            /** @description Accepted; a verification mail is sent (same answer when the address already has an account) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    verifyEmail: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Already verified */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Signed in; session cookies set */
            200: {
                headers: {
                    /** @description `__Host-access` (JWT, ≤ 15 min, Path=/) and `__Secure-refresh` (opaque, rotating, Path=/api/auth); HttpOnly, Secure, SameSite. Plain-HTTP shops (`COOKIE_SECURE=false`, the embedded default) use `access` and `refresh` without Secure. */
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The email or password is wrong (same answer for unknown addresses) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The email address is not verified yet, or CSRF failure */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out; the refresh token family is revoked and cookies cleared */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description New access and refresh cookies */
            200: {
                headers: {
                    /** @description `__Host-access` (JWT, ≤ 15 min, Path=/) and `__Secure-refresh` (opaque, rotating, Path=/api/auth); HttpOnly, Secure, SameSite. Plain-HTTP shops (`COOKIE_SECURE=false`, the embedded default) use `access` and `refresh` without Secure. */
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description Refresh token missing, expired or revoked; presenting an already-rotated token revokes its whole family */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    forgotPassword: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ForgotRequest"];
            };
        };
        responses: {
            /** @description Accepted (same answer whether or not the address has an account) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    resetPassword: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetRequest"];
            };
        };
        responses: {
            /** @description Password replaced; every session revoked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChangePasswordRequest"];
            };
        };
        responses: {
            /** @description Password changed; other sessions revoked, fresh cookies set */
            200: {
                headers: {
                    /** @description `__Host-access` (JWT, ≤ 15 min, Path=/) and `__Secure-refresh` (opaque, rotating, Path=/api/auth); HttpOnly, Secure, SameSite. Plain-HTTP shops (`COOKIE_SECURE=false`, the embedded default) use `access` and `refresh` without Secure. */
                    "Set-Cookie"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such user, or not yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getJwks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JWKS"];
                };
            };
        };
    };
    listProducts: {
        parameters: {
            query?: {
                /** @description Full-text query */
                q?: string;
                /** @description Category slug */
                category?: string;
                /** @description Minimum price in minor units */
                minPrice?: number;
                /** @description Maximum price in minor units */
                maxPrice?: number;
                /** @description Sort order */
                sort?: "relevance" | "price_asc" | "price_desc" | "name" | "newest";
                /** @description Page, from 1 */
                page?: number;
                /** @description Items per page */
                pageSize?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProductPage"];
                };
            };
            /** @description Invalid query */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createProduct: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProductInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A product with this SKU exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getProduct: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Stock keeping unit */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    updateProduct: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProductInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The product changed since it was read (version) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    listCategories: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Category"][];
                };
            };
        };
    };
    getBasket: {
        parameters: {
            query?: {
                /** @description Destination of the estimate; default the shop's country. The storefront sends the customer's default address country when it has one. */
                country?: string;
                /** @description A shipping method to price in */
                shippingMethod?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description Basket version; send it back in If-Match */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A country the shop does not sell to (`country`) or a shipping method not available there (`shippingMethod`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    clearBasket: {
        parameters: {
            query?: never;
            header: {
                /** @description The ETag last read */
                "If-Match"?: string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Emptied */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match names an older revision of the basket */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    addBasketItem: {
        parameters: {
            query?: never;
            header: {
                /** @description ETag of the basket the change is based on; 412 when stale */
                "If-Match"?: string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AddItemRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description Basket version; send it back in If-Match */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not enough stock */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket changed (If-Match) */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    removeBasketItem: {
        parameters: {
            query?: never;
            header: {
                /** @description ETag of the basket the change is based on; 412 when stale */
                "If-Match"?: string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description Basket version; send it back in If-Match */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not in the basket */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket changed (If-Match) */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    updateBasketItem: {
        parameters: {
            query?: never;
            header: {
                /** @description ETag of the basket the change is based on; 412 when stale */
                "If-Match"?: string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QuantityRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description Basket version; send it back in If-Match */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not in the basket */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket changed (If-Match) */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    checkout: {
        parameters: {
            query?: never;
            header: {
                /** @description Client-chosen key; a retry with the same key returns the same order */
                "Idempotency-Key": string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
                /** @description The basket's ETag the buyer confirmed; a stale one is 412 */
                "If-Match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CheckoutRequest"];
            };
        };
        responses: {
            /** @description Order placed; the checkout continues asynchronously. `Location` is the order's API URL (with `?token=` for a guest). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        orderId: string;
                        /** @description Guest checkouts only: the storefront page of the order, `/orders/{id}?token=…`, which works without an account (also in the confirmation email) */
                        statusUrl?: string;
                        /** @description Guest checkouts only: the signed token that reads this order through GET /api/orders/{id}?token=… (valid for 180 days) */
                        statusToken?: string;
                    };
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token is invalid or expired, or (in a shop without guest checkout) not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket is empty; prices changed since the lines were added (`changedLines`; the answer's ETag is the repriced basket's); the basket's discount code is used up or the customer's limit reached (`reason`); or this Idempotency-Key was used for another order */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["CheckoutProblem"];
                };
            };
            /** @description If-Match names an older basket version */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields; a payment method the shop does not accept (`payment.method`); no or an unavailable shipping method (`shippingMethod`); a destination the shop does not sell to (`shippingAddress.country`); a malformed VAT ID (`vatId`); or the basket's discount code refused (`reason`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["CheckoutProblem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    listOrders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderPage"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOrder: {
        parameters: {
            query?: {
                /** @description Signed order status token of a guest checkout */
                token?: string;
            };
            header?: {
                /** @description The ETag of the order as the client holds it: while the order is at that version the answer is 304 without a body */
                "If-None-Match"?: string;
                /** @description `wait=<seconds>` (RFC 7240) with If-None-Match: hold the read until the order changes, at most that long (capped at 10 s), then answer 200 with the changed order or 304. Other preferences, and a wait that is not a number of seconds, are ignored. */
                Prefer?: string;
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The order's version as a weak entity tag (W/"<version>"); send it back in If-None-Match to be told of a change */
                    ETag?: string;
                    /** @description `wait=<seconds>`: the wait of `Prefer` as applied (capped at 10) */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Not modified: the order is still at the version of If-None-Match (after the wait of Prefer, if any) */
            304: {
                headers: {
                    /** @description The order's version as a weak entity tag (W/"<version>"); send it back in If-None-Match to be told of a change */
                    ETag?: string;
                    /** @description `wait=<seconds>`: the wait of `Prefer` as applied (capped at 10) */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No token and not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order, or not yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listPayments: {
        parameters: {
            query: {
                /** @description Order id */
                orderId: string;
                /** @description A guest buyer's signed order token (from the order's status link); needed only without a session */
                orderToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        orderId: string;
                        payments: components["schemas"]["Payment"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order, or not yours */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getProfile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClientProfile"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The account's user id cannot own a client profile */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putProfile: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClientProfileInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClientProfile"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, a cross-site request, or an account whose user id cannot own a client profile */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    deleteProfile: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Erased: the profile, preferences and personalisation history are deleted and the erasure is recorded (orders and the sign-in account are kept) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The account's user id cannot own a client profile */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putPreferences: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreferencesInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preferences"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, a cross-site request, or an account whose user id cannot own a client profile */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    exportProfile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The account's user id cannot own a client profile */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminListOrders: {
        parameters: {
            query?: {
                /** @description Filter by status */
                status?: string;
                /** @description Page */
                page?: number;
                /** @description Only this customer's orders (a user id; 422 otherwise, or with `q`) */
                customerId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderPage"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not staff */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminRefund: {
        parameters: {
            query?: never;
            header: {
                /** @description Names the refund: a retried request refunds once */
                "Idempotency-Key": string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    amount: components["schemas"]["Money"];
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Refund requested */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        orderId: string;
                        paymentId: string;
                        refundId: string;
                        /** @enum {string} */
                        status: "requested";
                    };
                };
            };
            /** @description Malformed body or Idempotency-Key */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin (refunds move money out of the shop; support may not refund) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The order is not paid, or has no payment */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Amount or reason not acceptable (more than what is left to refund, another currency, no reason) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No payment service connected */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminProjections: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Every read model */
                        items: components["schemas"]["ProjectionStatus"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminDeadLetters: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The dead letters, newest first (without payloads; GET one for its redacted payload) */
                        items: components["schemas"]["DeadLetter"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    mergeBasket: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description Nothing to merge */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    productImage: {
        parameters: {
            query?: never;
            header?: {
                "If-None-Match"?: string;
            };
            path: {
                /** @description Image file name */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/svg+xml": string;
                    "image/png": string;
                    "image/jpeg": string;
                };
            };
            /** @description Not modified (If-None-Match matched the ETag) */
            304: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No such image */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    archiveProduct: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adjustStock: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
                /** @description makes a retried adjustment move stock once (per user) */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    delta: number;
                    /** @enum {string} */
                    reason: "received" | "correction" | "damaged" | "lost" | "returned" | "written_off" | "other";
                    note?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description the recorded movement */
                    "X-Movement-Id"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Stock would go below what is reserved */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid, missing (reason) or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    myRecommendations: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"][];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The account's user id cannot own a client profile */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminSearchCustomers: {
        parameters: {
            query?: {
                /** @description Up to 4 words, 100 characters, no control characters (422 otherwise) */
                q?: string;
                /** @description Page (1-based) */
                page?: number;
                /** @description Results per page (default 20) */
                pageSize?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomerPage"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `q`, `page` or `pageSize` out of bounds (field errors) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminGetCustomer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The customer's user id (a UUID; anything else is 404) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminEraseCustomer: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description The customer's user id (a UUID; anything else is 404) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Erased */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminExportCustomer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The customer's user id (a UUID; anything else is 404) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such customer */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublicConfig"];
                };
            };
        };
    };
    unsubscribePage: {
        parameters: {
            query?: {
                /** @description The signed token from the email's link */
                token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A confirmation page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description Invalid link */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    unsubscribe: {
        parameters: {
            query?: {
                /** @description The signed token from the email's link */
                token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Invalid link */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Unsubscribing is not available right now */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    failedNotifications: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["FailedNotification"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    paymentClientSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Payment id */
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paymentId: string;
                        clientSecret: string;
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment of mine */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The payment needs no action in the browser */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query or path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    paymentApproval: {
        parameters: {
            query?: {
                /** @description A guest buyer's signed order token (from the order's status link); needed only without a session */
                orderToken?: string;
            };
            header?: never;
            path: {
                /** @description Payment id */
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paymentId: string;
                        orderId: string;
                        /** Format: uri */
                        approveUrl: string;
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment of mine */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not a PayPal payment waiting for approval (or PayPal has it approved already) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid path parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description PayPal did not answer; try again */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    paypalReturn: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The PayPal order id PayPal appended to the return or cancel URL as `token` */
                    token: string;
                    /** @description A guest buyer's signed order token (from the order's status link); needed only without a session */
                    orderToken?: string;
                };
            };
        };
        responses: {
            /** @description Authorized (or already authorized, captured, refunded); `failed` when PayPal declined the funding source after approval */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paymentId: string;
                        orderId: string;
                        /**
                         * @description The payment's status after the call
                         * @enum {string}
                         */
                        status: "requested" | "action_required" | "authorized" | "captured" | "refunded" | "failed" | "voided";
                        /** @description Why the payment failed (`buyer_cancelled` after a cancel) */
                        failCode?: string;
                    };
                };
            };
            /** @description Malformed body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such PayPal order of mine, or PayPal is not enabled */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description PayPal has not approved this order, or the payment is already closed (failed, voided: the order was cancelled) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The token is not a PayPal order id */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description PayPal did not answer; try again */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    paypalCancel: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The PayPal order id PayPal appended to the return or cancel URL as `token` */
                    token: string;
                    /** @description A guest buyer's signed order token (from the order's status link); needed only without a session */
                    orderToken?: string;
                };
            };
        };
        responses: {
            /** @description Cancelled (or cancelled before) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paymentId: string;
                        orderId: string;
                        /**
                         * @description The payment's status after the call
                         * @enum {string}
                         */
                        status: "requested" | "action_required" | "authorized" | "captured" | "refunded" | "failed" | "voided";
                        /** @description Why the payment failed (`buyer_cancelled` after a cancel) */
                        failCode?: string;
                    };
                };
            };
            /** @description Malformed body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such PayPal order of mine, or PayPal is not enabled */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The payment is authorized, captured or closed otherwise, so it can no longer be cancelled */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The token is not a PayPal order id */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description PayPal did not answer; try again */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    refundPayment: {
        parameters: {
            query?: never;
            header: {
                /** @description Names the refund */
                "Idempotency-Key": string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Payment id */
                paymentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    amount: components["schemas"]["Money"];
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Refunded (or the same refund again) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        paymentId: string;
                        refundId: string;
                        /**
                         * @description captured while part of the capture remains
                         * @enum {string}
                         */
                        status: "captured" | "refunded";
                        refunded: components["schemas"]["Money"];
                    };
                };
            };
            /** @description Malformed body, or the Idempotency-Key is missing or too long */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such payment */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not captured, more than what remains, or refused by the provider */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Amount or reason not acceptable */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    stripeWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Accepted (duplicates too) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Signature missing or wrong, or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    paypalWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Accepted (duplicates too) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Signature missing or wrong, or the body is malformed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminOrder: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag of the order as the client holds it: while the order is at that version the answer is 304 without a body */
                "If-None-Match"?: string;
                /** @description `wait=<seconds>` (RFC 7240) with If-None-Match: hold the read until the order changes, at most that long (capped at 10 s), then answer 200 with the changed order or 304. Other preferences, and a wait that is not a number of seconds, are ignored. */
                Prefer?: string;
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description The order's version as a weak entity tag (W/"<version>"); send it back in If-None-Match to be told of a change */
                    ETag?: string;
                    /** @description `wait=<seconds>`: the wait of `Prefer` as applied (capped at 10) */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Not modified: the order is still at the version of If-None-Match (after the wait of Prefer, if any) */
            304: {
                headers: {
                    /** @description The order's version as a weak entity tag (W/"<version>"); send it back in If-None-Match to be told of a change */
                    ETag?: string;
                    /** @description `wait=<seconds>`: the wait of `Prefer` as applied (capped at 10) */
                    "Preference-Applied"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminOrderTimeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["TimelineEntry"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    shipOrder: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    carrier?: string;
                    trackingNumber?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderStatusChange"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not possible in the order's status */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    deliverOrder: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderStatusChange"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not possible in the order's status */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    cancelOrder: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderStatusChange"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not possible in the order's status */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    projectionStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Read model name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectionStatus"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such projection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The name is not a projection name (lower-case letters, digits, . _ -) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    rebuildProjection: {
        parameters: {
            query?: {
                /** @description Start over instead of resuming */
                restart?: boolean;
            };
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Read model name */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Rebuild started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        name: string;
                        state: string;
                        restart?: boolean;
                        /** @description Where to poll for progress */
                        status: string;
                    };
                };
            };
            /** @description A body was sent: the endpoint takes none (use ?restart=true) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such projection */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A rebuild of it is running */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `restart` is not true or false, or the name is not a projection name */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    deadLetter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Dead letter id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetter"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such dead letter */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    redriveDeadLetter: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Dead letter id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Sent again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id?: string;
                        redriven?: boolean;
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such dead letter */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    adminSalesReport: {
        parameters: {
            query?: {
                /** @description First day, YYYY-MM-DD (default: 29 days before `to`) */
                from?: string;
                /** @description Last day, YYYY-MM-DD (default: today in the shop's time zone); at most 365 days after `from` */
                to?: string;
                /** @description Breakdown */
                by?: "day" | "product" | "category";
                /** @description Response format (overrides Accept) */
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SalesReport"];
                    /**
                     * @example sku,name,category,currency,quantity,orders,gross,net
                     *     MUG-01,Mug,kitchen,EUR,4,2,5000,5000
                     */
                    "text/csv": string;
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid from, to, by or format (names the fields) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhookEndpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WebhookEndpoint"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    createWebhookEndpoint: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookEndpointInput"];
            };
        };
        responses: {
            /** @description Registered; the answer carries the signing secret, shown only this once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointCreated"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid field (the reason says which and why: a refused target address, an unknown event type, a short secret, ...) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Webhook endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such webhook endpoint (or delivery) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    updateWebhookEndpoint: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Webhook endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookEndpointInput"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such webhook endpoint (or delivery) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid field (the reason says which and why: a refused target address, an unknown event type, a short secret, ...) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    deleteWebhookEndpoint: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Webhook endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such webhook endpoint (or delivery) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Webhook endpoint id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WebhookDelivery"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such webhook endpoint (or delivery) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid query parameter */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Webhook endpoint id */
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued again */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such webhook endpoint (or delivery) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getBackInStock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description SKU of the product or variant (case-insensitive) */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Whether I wait for this SKU, after the request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackInStock"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The SKU is malformed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    subscribeBackInStock: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU of the product or variant (case-insensitive) */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Whether I wait for this SKU, after the request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackInStock"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The SKU is malformed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    unsubscribeBackInStock: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU of the product or variant (case-insensitive) */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Whether I wait for this SKU, after the request */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackInStock"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The SKU is malformed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listShippingMethods: {
        parameters: {
            query: {
                /** @description Destination, ISO 3166 alpha-2 */
                country: string;
                /** @description Parcel weight in grams (default 0) */
                weightGrams?: number;
                /** @description Gross basket subtotal in minor units (default 0) */
                subtotal?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The methods (possibly none) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ShippingMethodList"];
                };
            };
            /** @description Malformed country, weight or subtotal, or a country the shop does not deliver to (no tax rates) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDiscountCodes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["DiscountCode"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    createDiscountCode: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DiscountCodeInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiscountCode"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A code with this text exists already (in any case) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid fields (each named with the reason) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getDiscountCode: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The discount code, in any case (codes are case-insensitive) */
                code: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiscountCode"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such discount code */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    updateDiscountCode: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description The discount code, in any case (codes are case-insensitive) */
                code: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DiscountCodeChange"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiscountCode"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such discount code */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid fields (each named with the reason) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    checkDiscountCode: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description The discount code, in any case (codes are case-insensitive) */
                code: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DiscountCheckInput"];
            };
        };
        responses: {
            /** @description The code applies; its definition and usage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DiscountCode"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such discount code */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Refused: used up (`urn:evshop:discount:used_up`) or the customer's limit reached (`urn:evshop:discount:customer_limit`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Refused (`urn:evshop:discount:paused`, `not_yet_valid`, `expired`, `minimum_not_met`, `not_applicable`), or invalid fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    getOrderInvoice: {
        parameters: {
            query?: {
                /** @description Signed order status token of a guest checkout */
                token?: string;
            };
            header?: never;
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderDocument"];
                };
            };
            /** @description Neither signed in nor a `token` given */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order, not yours, or no invoice yet */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOrderCreditNote: {
        parameters: {
            query?: {
                /** @description Signed order status token of a guest checkout */
                token?: string;
            };
            header?: never;
            path: {
                /** @description Order id */
                id: string;
                /** @description Credit-note number, e.g. CN-000007 */
                number: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderDocument"];
                };
            };
            /** @description Neither signed in nor a `token` given */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order, not yours, or no such credit note */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    applyBasketDiscount: {
        parameters: {
            query?: never;
            header: {
                /** @description ETag of the basket the change is based on; 412 when stale */
                "If-Match"?: string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DiscountCodeRequest"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description Basket version; send it back in If-Match */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket is empty, or the code is used up / the customer's limit is reached (`reason`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["DiscountProblem"];
                };
            };
            /** @description The basket changed (If-Match) */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Malformed code, or refused: unknown, paused, not_yet_valid, expired, minimum_not_met, not_applicable (`reason`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["DiscountProblem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    removeBasketDiscount: {
        parameters: {
            query?: never;
            header: {
                /** @description ETag of the basket the change is based on; 412 when stale */
                "If-Match"?: string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    /** @description Basket version; send it back in If-Match */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Basket"];
                };
            };
            /** @description The access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket holds no discount code */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The basket changed (If-Match) */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    acceptStaffInvitation: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResetRequest"];
            };
        };
        responses: {
            /** @description Password set; the address is verified */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description Malformed request, or the link is invalid, used or expired */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description CSRF token missing or wrong, or a cross-site request */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Missing fields or a password the policy refuses */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    listStaff: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["StaffMember"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin (support staff included), or for unsafe methods a missing or wrong CSRF token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    inviteStaff: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StaffInvitationInput"];
            };
        };
        responses: {
            /** @description Granted, re-invited, or unchanged */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StaffInvitationResult"];
                };
            };
            /** @description Invited: a new account and its invitation mail */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StaffInvitationResult"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin (support staff included), or for unsafe methods a missing or wrong CSRF token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid email, name or role (only `support` and `admin` can be granted) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    staffAudit: {
        parameters: {
            query?: {
                limit?: number;
                /** @description `next` of the previous page */
                before?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StaffAudit"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin (support staff included), or for unsafe methods a missing or wrong CSRF token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid limit or before */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    grantStaffRole: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description The account's user id */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StaffRoleInput"];
            };
        };
        responses: {
            /** @description The account with its staff roles */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StaffMember"];
                };
            };
            /** @description Malformed JSON */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin (support staff included), or for unsafe methods a missing or wrong CSRF token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not a staff role (the customer role cannot be granted or revoked) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    revokeStaffRole: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description The account's user id */
                userId: string;
                /** @description `support` or `admin` */
                role: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account with its remaining staff roles */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StaffMember"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin (support staff included), or for unsafe methods a missing or wrong CSRF token */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such user */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The last administrator cannot lose the admin role */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not a staff role (the customer role cannot be granted or revoked) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    createVariant: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Any SKU of the product */
                sku: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VariantInput"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A product with this SKU exists */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    stockMovements: {
        parameters: {
            query?: {
                page?: number;
                pageSize?: number;
            };
            header?: never;
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StockMovementPage"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not staff */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Invalid or unknown query parameters */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    setProductImages: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    images: string[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Malformed request (bad JSON, empty body, wrong nesting) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The product changed meanwhile */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description An image that is not the product's, listed twice, or unknown fields */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    uploadProductImage: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description SKU */
                sku: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description The product has this image already */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Stored and added; Location is the image URL */
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            /** @description Malformed multipart body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such product */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The image is larger than CATALOG_IMAGE_MAX_BYTES */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not multipart, or the file is not a JPEG, PNG, GIF or WebP image */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No file field, too many pixels, or the product has 8 images already */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Uploads are not configured */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listOrderReturns: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderReturns"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order (or not mine) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
        };
    };
    requestReturn: {
        parameters: {
            query?: never;
            header: {
                /** @description Names the request: a retried request records one return */
                "Idempotency-Key": string;
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Order id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    lines: {
                        sku: string;
                        quantity: number;
                    }[];
                    reason: components["schemas"]["ReturnReason"];
                    note?: string;
                };
            };
        };
        responses: {
            /** @description The return this Idempotency-Key already requested */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Return"];
                };
            };
            /** @description Return requested */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Return"];
                };
            };
            /** @description Malformed body or Idempotency-Key */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such order (or not mine) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The order has not been delivered, or the return window has closed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Lines, quantities, reason or note not acceptable (field errors) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Returns are not available */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminListReturns: {
        parameters: {
            query?: {
                status?: components["schemas"]["ReturnStatus"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Return"][];
                    };
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unknown status */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Returns are not available */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminGetReturn: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Return id (<orderId>-r<n>) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Return"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such return */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Returns are not available */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminApproveReturn: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Return id (<orderId>-r<n>) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Return"];
                };
            };
            /** @description Malformed body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such return */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The return is not Requested (approving twice is not an error) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Field errors */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Returns are not available */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminRejectReturn: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Return id (<orderId>-r<n>) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Return"];
                };
            };
            /** @description Malformed body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not support or admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such return */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The return is not Requested */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Field errors */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Returns are not available */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    adminReceiveReturn: {
        parameters: {
            query?: never;
            header: {
                /** @description The token from GET /api/auth/csrf */
                "X-CSRF-Token": components["parameters"]["CSRFToken"];
            };
            path: {
                /** @description Return id (<orderId>-r<n>) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    lines: {
                        sku: string;
                        restock: number;
                        damaged: number;
                    }[];
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Return"];
                };
            };
            /** @description Malformed body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not signed in, or the access token is invalid or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not an admin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such return */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The return is not Approved, the order has no payment, or the refund exceeds what is left of its total */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Field errors */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            /** @description Returns are not available */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    webhook_order_paid_v1: {
        parameters: {
            query?: never;
            header: {
                /** @description `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Recompute it over the raw body, compare in constant time, and refuse timestamps more than 5 minutes away. See docs/webhooks.md. */
                "Evshop-Signature": components["parameters"]["WebhookSignature"];
                /** @description The event id (as in the body): the same on every retry; dedupe by it. */
                "Evshop-Event-Id": components["parameters"]["WebhookEventId"];
                "Evshop-Event-Type": components["parameters"]["WebhookEventType"];
                /** @description This delivery (one event to one endpoint), as in the back office's log. */
                "Evshop-Delivery-Id": components["parameters"]["WebhookDeliveryId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookOrderPaid"];
            };
        };
        responses: {
            /** @description Received; not sent again */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Anything else: retried */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_order_shipped_v1: {
        parameters: {
            query?: never;
            header: {
                /** @description `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Recompute it over the raw body, compare in constant time, and refuse timestamps more than 5 minutes away. See docs/webhooks.md. */
                "Evshop-Signature": components["parameters"]["WebhookSignature"];
                /** @description The event id (as in the body): the same on every retry; dedupe by it. */
                "Evshop-Event-Id": components["parameters"]["WebhookEventId"];
                "Evshop-Event-Type": components["parameters"]["WebhookEventType"];
                /** @description This delivery (one event to one endpoint), as in the back office's log. */
                "Evshop-Delivery-Id": components["parameters"]["WebhookDeliveryId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookOrderShipped"];
            };
        };
        responses: {
            /** @description Received; not sent again */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Anything else: retried */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_order_cancelled_v1: {
        parameters: {
            query?: never;
            header: {
                /** @description `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Recompute it over the raw body, compare in constant time, and refuse timestamps more than 5 minutes away. See docs/webhooks.md. */
                "Evshop-Signature": components["parameters"]["WebhookSignature"];
                /** @description The event id (as in the body): the same on every retry; dedupe by it. */
                "Evshop-Event-Id": components["parameters"]["WebhookEventId"];
                "Evshop-Event-Type": components["parameters"]["WebhookEventType"];
                /** @description This delivery (one event to one endpoint), as in the back office's log. */
                "Evshop-Delivery-Id": components["parameters"]["WebhookDeliveryId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookOrderCancelled"];
            };
        };
        responses: {
            /** @description Received; not sent again */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Anything else: retried */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_refund_completed_v1: {
        parameters: {
            query?: never;
            header: {
                /** @description `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Recompute it over the raw body, compare in constant time, and refuse timestamps more than 5 minutes away. See docs/webhooks.md. */
                "Evshop-Signature": components["parameters"]["WebhookSignature"];
                /** @description The event id (as in the body): the same on every retry; dedupe by it. */
                "Evshop-Event-Id": components["parameters"]["WebhookEventId"];
                "Evshop-Event-Type": components["parameters"]["WebhookEventType"];
                /** @description This delivery (one event to one endpoint), as in the back office's log. */
                "Evshop-Delivery-Id": components["parameters"]["WebhookDeliveryId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookRefundCompleted"];
            };
        };
        responses: {
            /** @description Received; not sent again */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Anything else: retried */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_return_received_v1: {
        parameters: {
            query?: never;
            header: {
                /** @description `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. Recompute it over the raw body, compare in constant time, and refuse timestamps more than 5 minutes away. See docs/webhooks.md. */
                "Evshop-Signature": components["parameters"]["WebhookSignature"];
                /** @description The event id (as in the body): the same on every retry; dedupe by it. */
                "Evshop-Event-Id": components["parameters"]["WebhookEventId"];
                "Evshop-Event-Type": components["parameters"]["WebhookEventType"];
                /** @description This delivery (one event to one endpoint), as in the back office's log. */
                "Evshop-Delivery-Id": components["parameters"]["WebhookDeliveryId"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookReturnReceived"];
            };
        };
        responses: {
            /** @description Received; not sent again */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Anything else: retried */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
