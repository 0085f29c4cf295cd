package catalog_test

import (
	"log/slog"

	domain "github.com/evshop/shop/domain/catalog"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func domainLine(sku string, q int) ([]domain.Line, error) {
	l, err := domain.NewLine(sku, q)
	return []domain.Line{l}, err
}
