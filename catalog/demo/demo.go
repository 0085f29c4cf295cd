// Package demo holds the demo catalogue shipped with the shop: 42 products
// in six categories, with descriptions, attributes and SVG images (generated
// once by gen_images.go and committed); two of them come in variants (a
// T-shirt in sizes, a bottle in colours with an image each). The catalog seeds it on the first
// start of the embedded shop and on `catalog seed` in server mode.
package demo

import (
	"embed"
	"io/fs"
	"strings"
)

//go:generate go run gen_images.go

//go:embed images/*.svg
var images embed.FS

// Images is the file system of the demo images ("<name>.svg").
func Images() fs.FS {
	sub, err := fs.Sub(images, "images")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Product is one demo product. Price is in euro cents.
type Product struct {
	SKU         string
	Name        string
	Category    string
	PriceCents  int64
	Stock       int
	Description string
	Attributes  map[string]any
}

// TaxClass is the product's tax class: books are taxed at the reduced rate
// (as in most EU countries), everything else at the standard one.
func (p Product) TaxClass() string {
	if p.Category == "Books" {
		return "reduced"
	}
	return "standard"
}

// WeightGrams is the product's shipping weight, packaging included.
func (p Product) WeightGrams() int { return weights[p.SKU] }

// weights are the demo products' shipping weights in grams.
var weights = map[string]int{
	"KIT-001": 2100, "KIT-002": 2600, "KIT-003": 450, "KIT-004": 1800, "KIT-005": 500, "KIT-006": 350, "KIT-007": 3200,
	"OUT-001": 2300, "OUT-002": 1200, "OUT-003": 450, "OUT-004": 700, "OUT-005": 200, "OUT-006": 250, "OUT-007": 500,
	"HOM-001": 1100, "HOM-002": 2400, "HOM-003": 600, "HOM-004": 250, "HOM-005": 900, "HOM-006": 1500, "HOM-007": 1600,
	"BOO-001": 1100, "BOO-002": 450, "BOO-003": 800, "BOO-004": 700, "BOO-005": 600, "BOO-006": 400, "BOO-007": 500,
	"ELE-001": 600, "ELE-002": 900, "ELE-003": 350, "ELE-004": 250, "ELE-005": 1200, "ELE-006": 1400, "ELE-007": 400,
	"APP-001": 500, "APP-002": 250, "APP-003": 1100, "APP-004": 150, "APP-005": 900, "APP-006": 300, "APP-007": 1600,
}

// ImageFile is the file name of the product's image.
func (p Product) ImageFile() string { return strings.ToLower(p.SKU) + ".svg" }

// Currency of every demo price.
const Currency = "EUR"

// Products returns the demo catalogue.
func Products() []Product {
	return []Product{
		// Kitchen
		{"KIT-001", "Oak Chopping Board", "Kitchen", 3490, 40, "A thick end-grain board cut from European oak. Gentle on knife edges and finished with food-safe oil.", map[string]any{"material": "oak", "widthCm": 40, "depthCm": 28}},
		{"KIT-002", "Cast Iron Skillet", "Kitchen", 4990, 25, "Pre-seasoned 26 cm skillet that moves from hob to oven. Holds heat evenly for searing and baking.", map[string]any{"material": "cast iron", "diameterCm": 26, "ovenSafe": true}},
		{"KIT-003", "Chef's Knife 20 cm", "Kitchen", 7900, 30, "Forged stainless steel blade with a full tang and a balanced walnut handle. Sharpened to 15 degrees.", map[string]any{"material": "stainless steel", "bladeCm": 20}},
		{"KIT-004", "Stoneware Mug Set", "Kitchen", 2900, 60, "Four hand-glazed 350 ml mugs in sea tones. Dishwasher and microwave safe.", map[string]any{"pieces": 4, "volumeMl": 350, "colours": []string{"teal", "sand", "slate", "moss"}}},
		{"KIT-005", "Pour-Over Coffee Dripper", "Kitchen", 2490, 45, "Ceramic cone dripper with spiral ribs for an even extraction. Fits most mugs and carafes.", map[string]any{"material": "porcelain", "cups": "1-4"}},
		{"KIT-006", "Linen Tea Towels", "Kitchen", 1590, 80, "Set of three stonewashed linen towels that dry glass without lint and soften with every wash.", map[string]any{"pieces": 3, "material": "linen"}},
		{"KIT-007", "Glass Storage Jars", "Kitchen", 3290, 35, "Six borosilicate jars with bamboo lids for pasta, grains and coffee beans.", map[string]any{"pieces": 6, "volumeMl": 1000}},
		// Outdoor
		{"OUT-001", "Two-Person Trail Tent", "Outdoor", 18900, 12, "A 1.9 kg freestanding tent with two doors, two vestibules and a fly rated for three seasons.", map[string]any{"weightKg": 1.9, "persons": 2, "seasons": 3}},
		{"OUT-002", "Down Sleeping Bag", "Outdoor", 15900, 15, "Ethically sourced 650-fill down, comfortable to 2 °C, packing down to the size of a loaf.", map[string]any{"comfortC": 2, "fill": "650 down"}},
		{"OUT-003", "Insulated Water Bottle", "Outdoor", 2990, 90, "Double-walled steel keeps drinks cold for 24 hours or hot for 12. Leak-proof cap.", map[string]any{"volumeMl": 750}},
		{"OUT-004", "Trekking Poles", "Outdoor", 6900, 20, "Carbon poles with cork grips and quick locks, collapsing to 62 cm for travel.", map[string]any{"material": "carbon", "pair": true}},
		{"OUT-005", "Headlamp 400", "Outdoor", 3990, 50, "400 lumen rechargeable headlamp with red night mode and a lock against accidental switching.", map[string]any{"lumens": 400, "rechargeable": true}},
		{"OUT-006", "Camp Stove", "Outdoor", 5490, 18, "A palm-sized canister stove boiling a litre in under four minutes, with piezo ignition.", map[string]any{"weightG": 85, "boilMinutes": 3.8}},
		{"OUT-007", "Packable Rain Jacket", "Outdoor", 8990, 22, "Waterproof, breathable shell that packs into its own pocket. Taped seams and adjustable hood.", map[string]any{"sizes": []string{"S", "M", "L", "XL"}, "waterproofMm": 20000}},
		// Home
		{"HOM-001", "Wool Throw Blanket", "Home", 8900, 25, "A soft herringbone throw woven from lambswool in a Scottish mill.", map[string]any{"material": "lambswool", "sizeCm": "130x180"}},
		{"HOM-002", "Ceramic Table Lamp", "Home", 6990, 16, "Hand-thrown ceramic base with a linen shade casting a warm, even light.", map[string]any{"heightCm": 45, "bulb": "E27"}},
		{"HOM-003", "Scented Soy Candle", "Home", 1890, 70, "Cedar and bergamot candle poured in a reusable amber glass, burning for 45 hours.", map[string]any{"burnHours": 45, "scent": "cedar and bergamot"}},
		{"HOM-004", "Linen Cushion Cover", "Home", 2490, 55, "Washed linen cover with a hidden zip, in five calm colours.", map[string]any{"sizeCm": "50x50", "colours": []string{"oat", "clay", "sage", "ink", "rose"}}},
		{"HOM-005", "Wall Clock", "Home", 4590, 20, "A silent-sweep clock with an ash frame and clean numerals.", map[string]any{"diameterCm": 30, "silent": true}},
		{"HOM-006", "Indoor Plant Pot", "Home", 2190, 40, "Matte terracotta pot with a drainage saucer, for plants up to 60 cm.", map[string]any{"diameterCm": 18, "material": "terracotta"}},
		{"HOM-007", "Cotton Bath Towels", "Home", 3990, 45, "Two heavy 600 gsm organic cotton towels, soft and quick to dry.", map[string]any{"pieces": 2, "gsm": 600, "organic": true}},
		// Books
		{"BOO-001", "The Art of Slow Cooking", "Books", 2890, 30, "Eighty recipes for braises, stews and breads that reward patience, with notes on technique.", map[string]any{"pages": 288, "format": "hardcover", "language": "en"}},
		{"BOO-002", "Mountains Without Maps", "Books", 1990, 35, "A memoir of crossing the Pyrenees on foot, one village at a time.", map[string]any{"pages": 312, "format": "paperback", "language": "en"}},
		{"BOO-003", "Designing Event-Driven Systems", "Books", 4490, 25, "A practical guide to events, commands, sagas and projections in distributed software.", map[string]any{"pages": 420, "format": "paperback", "language": "en"}},
		{"BOO-004", "A Field Guide to Birds", "Books", 2490, 28, "Illustrated guide to 300 European species, with range maps and song descriptions.", map[string]any{"pages": 368, "format": "flexibound", "language": "en"}},
		{"BOO-005", "Small Gardens, Big Harvests", "Books", 2290, 32, "Grow vegetables in pots, balconies and raised beds, season by season.", map[string]any{"pages": 240, "format": "paperback", "language": "en"}},
		{"BOO-006", "The Quiet Coast", "Books", 1690, 40, "A novel of a lighthouse keeper's daughter and the summer the storms came back.", map[string]any{"pages": 356, "format": "paperback", "language": "en"}},
		{"BOO-007", "Watercolour Basics", "Books", 1990, 26, "Learn washes, layering and colour mixing through twelve guided paintings.", map[string]any{"pages": 160, "format": "paperback", "language": "en"}},
		// Electronics
		{"ELE-001", "Wireless Headphones", "Electronics", 12900, 20, "Over-ear headphones with active noise cancelling and 30 hours of battery life.", map[string]any{"batteryHours": 30, "noiseCancelling": true, "colours": []string{"black", "sand"}}},
		{"ELE-002", "Portable Speaker", "Electronics", 7900, 24, "Splash-proof Bluetooth speaker with a warm sound and a 12-hour battery.", map[string]any{"batteryHours": 12, "waterproof": "IPX7"}},
		{"ELE-003", "E-Reader Paperwhite", "Electronics", 13900, 15, "A glare-free 6.8 inch screen with warm light and weeks of battery.", map[string]any{"screenInch": 6.8, "storageGb": 16}},
		{"ELE-004", "USB-C Charger 65 W", "Electronics", 3990, 60, "Compact gallium-nitride charger with two USB-C ports and one USB-A.", map[string]any{"watts": 65, "ports": 3}},
		{"ELE-005", "Mechanical Keyboard", "Electronics", 10900, 18, "Tenkeyless keyboard with hot-swappable tactile switches and PBT keycaps.", map[string]any{"layout": "TKL", "switches": "tactile"}},
		{"ELE-006", "Smart Desk Lamp", "Electronics", 5990, 22, "Adjustable colour temperature and brightness with a built-in wireless charger.", map[string]any{"lumens": 500, "wirelessCharging": true}},
		{"ELE-007", "Action Camera", "Electronics", 24900, 10, "4K60 video with stabilisation, waterproof to 10 m without a case.", map[string]any{"video": "4K60", "waterproofM": 10}},
		// Apparel
		{"APP-001", "Merino Crew Sweater", "Apparel", 9900, 30, "Fine-gauge merino wool sweater that breathes, resists odour and layers easily.", map[string]any{"material": "merino", "sizes": []string{"XS", "S", "M", "L", "XL"}}},
		{"APP-002", "Organic Cotton T-Shirt", "Apparel", 2900, 40, "Heavyweight organic cotton tee with a relaxed fit and reinforced collar.", map[string]any{"material": "organic cotton"}},
		{"APP-003", "Canvas Sneakers", "Apparel", 6900, 40, "Vulcanised canvas sneakers with a natural rubber sole and cushioned insole.", map[string]any{"sizes": []string{"38", "39", "40", "41", "42", "43", "44"}}},
		{"APP-004", "Wool Beanie", "Apparel", 2490, 65, "Rib-knit beanie in soft lambswool, one size fits most.", map[string]any{"material": "lambswool", "oneSize": true}},
		{"APP-005", "Selvedge Denim Jeans", "Apparel", 12900, 25, "Raw 14 oz selvedge denim in a straight cut that fades with you.", map[string]any{"weightOz": 14, "fit": "straight"}},
		{"APP-006", "Leather Belt", "Apparel", 4490, 35, "Vegetable-tanned leather belt with a solid brass buckle.", map[string]any{"material": "leather", "widthMm": 35}},
		{"APP-007", "Waxed Cotton Jacket", "Apparel", 19900, 12, "A weatherproof waxed cotton jacket with a corduroy collar and four pockets.", map[string]any{"material": "waxed cotton", "sizes": []string{"S", "M", "L", "XL"}}},
	}
}

// Option is one option value of a demo variant.
type Option struct{ Name, Value string }

// Variant is a further SKU of a demo product. PriceCents 0 is the
// product's price; Image "" its image; Tint colours a variant's own image.
type Variant struct {
	SKU        string
	Options    []Option
	PriceCents int64
	Stock      int
	Image      string
	Tint       [2]string
}

// Family gives a demo product (ProductSKU) its own option values and
// further variants.
type Family struct {
	ProductSKU string
	Own        []Option
	Variants   []Variant
}

// Families returns the demo products that come in variants. The large
// T-shirt is sold out, so the storefront shows a variant that cannot be
// added.
func Families() []Family {
	return []Family{
		{ProductSKU: "APP-002", Own: []Option{{"Size", "S"}}, Variants: []Variant{
			{SKU: "APP-002-M", Options: []Option{{"Size", "M"}}, Stock: 35},
			{SKU: "APP-002-L", Options: []Option{{"Size", "L"}}, PriceCents: 3100, Stock: 0},
		}},
		{ProductSKU: "OUT-003", Own: []Option{{"Colour", "Forest"}}, Variants: []Variant{
			{SKU: "OUT-003-STONE", Options: []Option{{"Colour", "Stone"}}, Stock: 40, Image: "out-003-stone.svg", Tint: [2]string{"#efece6", "#cfc8bb"}},
			{SKU: "OUT-003-SKY", Options: []Option{{"Colour", "Sky"}}, PriceCents: 3190, Stock: 25, Image: "out-003-sky.svg", Tint: [2]string{"#e3f1fb", "#a9cfee"}},
		}},
	}
}
