package mongo_test

import (
	"testing"

	"github.com/evshop/shop/catalog/images"
	"github.com/evshop/shop/catalog/images/imagestest"
	"github.com/evshop/shop/catalog/images/mongo"
	"github.com/evshop/shop/platform/testenv"
)

func TestContract(t *testing.T) {
	t.Parallel()
	imagestest.Run(t, func(t *testing.T) images.Store { return mongo.New(testenv.Mongo(t)) })
}
