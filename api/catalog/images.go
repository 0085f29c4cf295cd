package catalog

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/evshop/shop/catalog/images"
	domain "github.com/evshop/shop/domain/catalog"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
)

// ImageEditor is what the image routes need of the catalog (*catalog.Service).
type ImageEditor interface {
	EditImages(ctx context.Context, sku string, edit func([]string) ([]string, error)) (domain.Product, error)
}

func (a *API) mountImages(r fiber.Router) {
	admin := authn.Required(authn.RoleAdmin)
	r.Post("/products/:sku/images", admin, a.uploadImage)
	r.Put("/products/:sku/images", admin, a.setImages)
}

// uploadImage stores the multipart field "file" as an image of the product
// and appends its URL to the product's images: 201 with the product, or 200
// when the same picture is on the product already.
func (a *API) uploadImage(c *fiber.Ctx) error {
	if a.d.Uploads == nil {
		return httpx.NewProblem(fiber.StatusNotImplemented, "image uploads are not configured")
	}
	sku, err := domain.NewSKU(c.Params("sku"))
	if err != nil {
		return problem(err)
	}
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return httpx.NewProblem(fiber.StatusUnsupportedMediaType, "the body must be multipart/form-data with the image in the field \"file\"")
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "file", Reason: "is required: the image as a multipart file field"})
	}
	if fh.Size > int64(a.d.ImageLimits.MaxBytes) {
		return tooBig(a.d.ImageLimits.MaxBytes)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(a.d.ImageLimits.MaxBytes)+1))
	f.Close()
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	// The product must exist and have room before anything is stored.
	cur, err := a.d.Catalog.Get(ctx, sku.String())
	if err != nil {
		return problem(err)
	}
	img, err := images.Process(cur.SKU().String(), data, a.d.ImageLimits)
	switch {
	case errors.Is(err, images.ErrTooBig):
		return tooBig(a.d.ImageLimits.MaxBytes)
	case errors.Is(err, images.ErrNotImage), errors.Is(err, images.ErrEmptyFile):
		return httpx.NewProblem(fiber.StatusUnsupportedMediaType, "the file is not a JPEG, PNG, GIF or WebP image (checked by its content)")
	case errors.Is(err, images.ErrTooLarge):
		return httpx.Invalid(httpx.FieldError{Field: "file", Reason: "has more than " + strconv.Itoa(a.d.ImageLimits.MaxPixels) + " pixels"})
	case err != nil:
		return err
	}
	url := domain.ImagePathPrefix + img.Name
	if slices.Contains(cur.Images(), url) {
		return c.JSON(ToDTO(cur, true))
	}
	if len(cur.Images()) >= domain.MaxImages {
		return tooMany()
	}
	img.CreatedAt = cur.UpdatedAt()
	created, err := a.d.Uploads.Put(ctx, img)
	if err != nil {
		return err
	}
	p, err := a.d.Catalog.EditImages(ctx, sku.String(), func(list []string) ([]string, error) {
		if slices.Contains(list, url) {
			return list, nil
		}
		if len(list) >= domain.MaxImages {
			return nil, errTooMany
		}
		return append(list, url), nil
	})
	if err != nil {
		if created {
			// Not on the product: nothing refers to it.
			a.d.Uploads.Delete(ctx, img.Name) //nolint:errcheck
		}
		if errors.Is(err, errTooMany) {
			return tooMany()
		}
		return problem(err)
	}
	c.Location(url)
	return c.Status(fiber.StatusCreated).JSON(ToDTO(p, true))
}

var errTooMany = errors.New("too many images")

func tooMany() error {
	return httpx.Invalid(httpx.FieldError{Field: "images", Reason: "a product has at most " + strconv.Itoa(domain.MaxImages) + " images: remove one first"})
}

func tooBig(maxBytes int) error {
	return httpx.NewProblem(fiber.StatusRequestEntityTooLarge, "the image is larger than "+strconv.Itoa(maxBytes)+" bytes")
}

// setImages reorders or removes the product's images: the body lists the
// images to keep, in order, each one of the product's current ones.
// Uploaded images dropped from the list are deleted.
func (a *API) setImages(c *fiber.Ctx) error {
	var b struct {
		Images []string `json:"images"`
	}
	if err := httpx.DecodeJSON(c, &b); err != nil {
		return err
	}
	if b.Images == nil {
		return httpx.Invalid(httpx.FieldError{Field: "images", Reason: "is required: the image URLs to keep, in order"})
	}
	var dropped []string
	p, err := a.d.Catalog.EditImages(c.UserContext(), c.Params("sku"), func(cur []string) ([]string, error) {
		seen := map[string]bool{}
		for i, u := range b.Images {
			if !slices.Contains(cur, u) {
				return nil, httpx.Invalid(httpx.FieldError{Field: "images[" + strconv.Itoa(i) + "]", Reason: "is not one of the product's images (add images by uploading them)"})
			}
			if seen[u] {
				return nil, httpx.Invalid(httpx.FieldError{Field: "images[" + strconv.Itoa(i) + "]", Reason: "is listed twice"})
			}
			seen[u] = true
		}
		dropped = dropped[:0]
		for _, u := range cur {
			if !seen[u] {
				dropped = append(dropped, u)
			}
		}
		return slices.Clone(b.Images), nil
	})
	if err != nil {
		return problem(err)
	}
	if a.d.Uploads != nil {
		for _, u := range dropped {
			name := strings.TrimPrefix(u, domain.ImagePathPrefix)
			if name == u || !images.NamePattern.MatchString(name) {
				continue // an external URL or a demo image
			}
			img, err := a.d.Uploads.Get(c.UserContext(), name)
			if err == nil && img.SKU == p.SKU().String() {
				if err := a.d.Uploads.Delete(c.UserContext(), name); err != nil {
					a.d.Log.WarnContext(c.UserContext(), "removed image not deleted", "image", name, "error", err)
				}
			}
		}
	}
	return c.JSON(ToDTO(p, true))
}

// uploadedImage serves an uploaded image (after the demo images): immutable
// bytes under a content-derived name, so caches may keep them for a year.
func (a *API) uploadedImage(c *fiber.Ctx) error {
	name := c.Params("file")
	if a.d.Uploads == nil || !images.NamePattern.MatchString(name) {
		return httpx.NotFound("no such image")
	}
	img, err := a.d.Uploads.Get(c.UserContext(), name)
	if errors.Is(err, images.ErrNotFound) {
		return httpx.NotFound("no such image")
	}
	if err != nil {
		return err
	}
	etag := `"` + strings.TrimSuffix(strings.TrimSuffix(name, ".png"), ".jpg") + `"`
	c.Set(fiber.HeaderContentType, img.ContentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	if c.Get(fiber.HeaderIfNoneMatch) == etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(img.Data)
}
