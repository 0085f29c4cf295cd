-- checkout-hops.sql: per-hop times of the checkouts of a load-server run kept with KEEP=1
-- (psql -d loadsrv_TAG -f scripts/checkout-hops.sql): each event of a paid order's checkout
-- (matched by correlation id), in ms after its OrderPlaced was recorded.
with p as (select metadata->>'correlationId' c, time t0 from events where type='ordering.OrderPlaced.v1'),
paid as (select metadata->>'correlationId' c from events where type='ordering.OrderPaid.v1'),
e as (select p.c, e.type, e.stream, extract(epoch from e.time - p.t0)*1000 ms, e.position
      from events e join p on e.metadata->>'correlationId' = p.c where p.c in (select c from paid))
select split_part(stream,'-',1) s, type, count(*) n, round(avg(ms)) mean_ms, round(percentile_cont(0.5) within group (order by ms)) p50_ms,
 round(percentile_cont(0.99) within group (order by ms)) p99_ms
from e group by 1,2 order by 4;
