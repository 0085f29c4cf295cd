// Package grafana holds no code: shop.json is the Grafana dashboard of the
// shop's Prometheus metrics, and the test beside it checks that every metric
// the dashboard queries is one the code registers, so a renamed metric
// breaks CI instead of a panel.
package grafana
