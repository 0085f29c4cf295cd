package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func main() {
	ctx := context.Background()
	c, err := mongo.Connect(ctx, options.Client().ApplyURI(os.Args[1]))
	if err != nil {
		panic(err)
	}
	db := c.Database("zzprobe")
	coll := db.Collection("stock_ledger")
	coll.Drop(ctx)
	coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "key", Value: 1}, {Key: "seq", Value: -1}}})
	for i := 0; i < 700; i++ {
		key := fmt.Sprintf("SKU-%03d", i%42)
		holds := bson.M{}
		for j := 0; j < 5; j++ {
			holds[fmt.Sprintf("order-%d-%d", i, j)] = 1
		}
		coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s#%012d", key, i)}, {Key: "key", Value: key}, {Key: "seq", Value: int64(i)}, {Key: "onHand", Value: 100}, {Key: "holds", Value: holds}})
	}
	n := 20
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if err := coll.FindOne(ctx, bson.D{{Key: "key", Value: "SKU-001"}}, options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Err(); err != nil {
			panic(err)
		}
	}
	fmt.Printf("%s head: %v/op\n", os.Args[1], time.Since(t0)/time.Duration(n))
	t0 = time.Now()
	for i := 0; i < n; i++ {
		if err := coll.FindOne(ctx, bson.D{{Key: "key", Value: "SKU-001"}}).Err(); err != nil {
			panic(err)
		}
	}
	fmt.Printf("%s filter only, no sort: %v/op\n", os.Args[1], time.Since(t0)/time.Duration(n))
	db.Drop(ctx)
}
