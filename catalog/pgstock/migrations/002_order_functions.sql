-- Whole-order reserve, release and commit as functions: one round trip and
-- one transaction per command, so the stock rows stay locked for the
-- statement only, not for a dozen client round trips. Every function locks
-- the order's reservation row first, then the stock rows in SKU order (the
-- order every writer uses), so concurrent orders cannot deadlock.

-- drop_holds gives back (or, when p_sold, sells) every unit the order holds.
CREATE FUNCTION catalog.drop_holds(p_order text, p_sold boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM catalog.stock
     WHERE sku IN (SELECT sku FROM catalog.stock_holds WHERE order_id = p_order)
     ORDER BY sku FOR UPDATE;
    WITH gone AS (
        DELETE FROM catalog.stock_holds WHERE order_id = p_order RETURNING sku, quantity)
    UPDATE catalog.stock s
       SET reserved = s.reserved - g.quantity,
           on_hand = s.on_hand - CASE WHEN p_sold THEN g.quantity ELSE 0 END
      FROM gone g WHERE s.sku = g.sku;
END $$;

-- reserve_order holds every line of p_lines ([{sku, quantity}], distinct
-- SKUs) for the order, or none. A SKU without a stock row has no product;
-- p_reasons are the failure reasons for unknown, archived and short lines.
-- A decided reservation is returned as stored (a redelivery changes
-- nothing); a pending one (new, or handed over in flight) is decided now.
CREATE FUNCTION catalog.reserve_order(p_order text, p_lines jsonb, p_reasons text[])
RETURNS catalog.stock_reservations
LANGUAGE plpgsql AS $$
DECLARE
    r catalog.stock_reservations;
    l record;
    failed text[] := '{}';
    why text := '';
BEGIN
    INSERT INTO catalog.stock_reservations (order_id, lines, status) VALUES (p_order, p_lines, 'pending')
        ON CONFLICT (order_id) DO NOTHING;
    SELECT * INTO r FROM catalog.stock_reservations WHERE order_id = p_order FOR UPDATE;
    IF r.status <> 'pending' THEN
        RETURN r;
    END IF;
    PERFORM 1 FROM catalog.stock
     WHERE sku IN (SELECT x.sku FROM jsonb_to_recordset(r.lines) AS x(sku text, quantity int))
     ORDER BY sku FOR UPDATE;
    FOR l IN
        SELECT x.sku, x.quantity, s.on_hand - s.reserved AS available, s.archived,
               EXISTS (SELECT 1 FROM catalog.stock_holds h WHERE h.order_id = p_order AND h.sku = x.sku) AS held
          FROM jsonb_to_recordset(r.lines) AS x(sku text, quantity int)
          LEFT JOIN catalog.stock s ON s.sku = x.sku
         ORDER BY x.sku
    LOOP
        IF l.available IS NULL THEN
            failed := failed || l.sku;
            IF why = '' THEN why := p_reasons[1]; END IF;
        ELSIF l.held THEN
            CONTINUE;
        ELSIF l.archived THEN
            failed := failed || l.sku;
            IF why = '' THEN why := p_reasons[2]; END IF;
        ELSIF l.available < l.quantity THEN
            failed := failed || l.sku;
            IF why = '' THEN why := p_reasons[3]; END IF;
        END IF;
    END LOOP;
    IF cardinality(failed) = 0 THEN
        UPDATE catalog.stock s SET reserved = s.reserved + x.quantity
          FROM jsonb_to_recordset(r.lines) AS x(sku text, quantity int)
         WHERE s.sku = x.sku
           AND NOT EXISTS (SELECT 1 FROM catalog.stock_holds h WHERE h.order_id = p_order AND h.sku = x.sku);
        INSERT INTO catalog.stock_holds (order_id, sku, quantity)
        SELECT p_order, x.sku, x.quantity FROM jsonb_to_recordset(r.lines) AS x(sku text, quantity int)
            ON CONFLICT (order_id, sku) DO NOTHING;
        UPDATE catalog.stock_reservations SET status = 'reserved', updated_at = now()
         WHERE order_id = p_order RETURNING * INTO r;
    ELSE
        PERFORM catalog.drop_holds(p_order, false);
        UPDATE catalog.stock_reservations SET status = 'failed', reason = why, failed_skus = failed, updated_at = now()
         WHERE order_id = p_order RETURNING * INTO r;
    END IF;
    RETURN r;
END $$;

-- release_order gives the order's units back. An unknown order gets a
-- tombstone (p_tomb_reason) so a late reserve holds nothing; a committed
-- one is returned unchanged for the caller to refuse.
CREATE FUNCTION catalog.release_order(p_order text, p_tomb_reason text)
RETURNS catalog.stock_reservations
LANGUAGE plpgsql AS $$
DECLARE
    r catalog.stock_reservations;
BEGIN
    INSERT INTO catalog.stock_reservations (order_id, lines, status, reason)
    VALUES (p_order, '[]', 'released', p_tomb_reason)
        ON CONFLICT (order_id) DO NOTHING RETURNING * INTO r;
    IF FOUND THEN
        RETURN r;
    END IF;
    SELECT * INTO r FROM catalog.stock_reservations WHERE order_id = p_order FOR UPDATE;
    IF r.status = 'committed' THEN
        RETURN r;
    END IF;
    IF r.status IN ('pending', 'reserved') THEN
        UPDATE catalog.stock_reservations SET status = 'released', reason = 'released', failed_skus = '{}', updated_at = now()
         WHERE order_id = p_order RETURNING * INTO r;
    END IF;
    PERFORM catalog.drop_holds(p_order, false);
    RETURN r;
END $$;

-- commit_order sells the held units of a reserved order; a committed one
-- is finished again (a no-op unless handed over with holds left). Any
-- other is returned unchanged, and an unknown order as a row of NULLs.
CREATE FUNCTION catalog.commit_order(p_order text)
RETURNS catalog.stock_reservations
LANGUAGE plpgsql AS $$
DECLARE
    r catalog.stock_reservations;
BEGIN
    SELECT * INTO r FROM catalog.stock_reservations WHERE order_id = p_order FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF r.status = 'reserved' THEN
        UPDATE catalog.stock_reservations SET status = 'committed', reason = '', failed_skus = '{}', updated_at = now()
         WHERE order_id = p_order RETURNING * INTO r;
    ELSIF r.status <> 'committed' THEN
        RETURN r;
    END IF;
    PERFORM catalog.drop_holds(p_order, true);
    RETURN r;
END $$;
