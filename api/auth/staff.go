package auth

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	ident "github.com/evshop/shop/commands/identity"
	domain "github.com/evshop/shop/domain/identity"
	"github.com/evshop/shop/platform/authn"
	"github.com/evshop/shop/platform/httpx"
	"github.com/evshop/shop/platform/ratelimit"
)

// StaffPrefix is where MountStaff's routes live (the gateway's route table
// sends it to the auth service).
const StaffPrefix = "/api/admin/staff"

// PathAcceptInvitation is where an invitee sets the first password
// (relative to /api/auth, like the other link routes).
const PathAcceptInvitation = "/invitation/accept"

// Default limits of the staff invitations: an admin may invite a team in
// one sitting, but one address gets few mails.
var (
	defaultInvitePerAdmin   = ratelimit.Limit{Events: 30, Window: time.Hour}
	defaultInvitePerAddress = ratelimit.Limit{Events: 5, Window: time.Hour}
)

// MountStaff registers the staff routes (admins only) relative to r, which
// is mounted at StaffPrefix: the staff list, invitations, role grants and
// revocations, and their audit.
func (a *API) MountStaff(r fiber.Router) {
	r.Use(authn.Middleware(a.d.Verifier), authn.Required(authn.RoleAdmin))
	r.Get("/", a.staffList)
	r.Post("/invitations", a.invite)
	r.Get("/audit", a.staffAudit)
	r.Post("/:userId/roles", a.grantRole)
	r.Delete("/:userId/roles/:role", a.revokeRole)
}

// staffRoleDTO is one staff role and since when it is held.
type staffRoleDTO struct {
	Role  string `json:"role"`
	Since string `json:"since"`
}

// staffMemberDTO is an account with its staff roles. InvitationPending is
// true until an invited person chose a password (they cannot sign in yet).
type staffMemberDTO struct {
	ID                string         `json:"id"`
	Email             string         `json:"email"`
	Name              string         `json:"name"`
	EmailVerified     bool           `json:"emailVerified"`
	InvitationPending bool           `json:"invitationPending"`
	Roles             []staffRoleDTO `json:"roles"`
}

func toStaffDTO(m ident.StaffMember) staffMemberDTO {
	u := m.User
	out := staffMemberDTO{ID: u.ID(), Email: u.Email().String(), Name: u.Name().String(), EmailVerified: u.EmailVerified(),
		InvitationPending: u.InvitationPending(), Roles: []staffRoleDTO{}}
	for _, r := range u.Roles() {
		if !r.IsStaff() {
			continue
		}
		since := m.Since[r]
		if since.IsZero() {
			since = u.CreatedAt()
		}
		out.Roles = append(out.Roles, staffRoleDTO{Role: string(r), Since: since.UTC().Format(time.RFC3339)})
	}
	return out
}

type inviteRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	Name  string `json:"name"`
}

type roleRequest struct {
	Role string `json:"role"`
}

func decodeInvite(body []byte) (inviteRequest, error) {
	var r inviteRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	if err := required([2]string{"email", r.Email}, [2]string{"role", r.Role}); err != nil {
		return r, err
	}
	if len(r.Name) > maxField {
		return r, httpx.Invalid(httpx.FieldError{Field: "name", Reason: "is too long"})
	}
	return r, nil
}

func decodeRole(body []byte) (roleRequest, error) {
	var r roleRequest
	if err := httpx.DecodeBytes(body, &r); err != nil {
		return r, err
	}
	return r, required([2]string{"role", r.Role})
}

type inviteResponse struct {
	Status string         `json:"status"`
	Member staffMemberDTO `json:"member"`
}

func (a *API) staffList(c *fiber.Ctx) error {
	staff, err := a.d.Service.Staff(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]staffMemberDTO, 0, len(staff))
	for _, m := range staff {
		items = append(items, toStaffDTO(m))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"items": items})
}

// invite answers 201 when it created an account, 200 otherwise (a grant, a
// fresh link for a pending invitation, or nothing to do).
func (a *API) invite(c *fiber.Ctx) error {
	req, err := decode(c, decodeInvite)
	if err != nil {
		return err
	}
	p, _ := authn.FromCtx(c)
	if err := a.limit(c, "invite:admin:"+p.UserID, a.d.Limits.InvitePerAdmin); err != nil {
		return err
	}
	if err := a.limit(c, "invite:addr:"+strings.ToLower(strings.TrimSpace(req.Email)), a.d.Limits.InvitePerAddress); err != nil {
		return err
	}
	res, err := a.d.Service.InviteStaff(c.UserContext(), ident.InviteInput{Email: req.Email, Role: req.Role, Name: req.Name, By: p.UserID})
	if err != nil {
		return a.problem(err)
	}
	m, err := a.member(c, res.User.ID())
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if res.Outcome == ident.InviteCreated {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(inviteResponse{Status: res.Outcome, Member: m})
}

func (a *API) grantRole(c *fiber.Ctx) error {
	req, err := decode(c, decodeRole)
	if err != nil {
		return err
	}
	p, _ := authn.FromCtx(c)
	u, err := a.d.Service.GrantStaffRole(c.UserContext(), p.UserID, userIDParam(c), req.Role)
	if err != nil {
		return a.problem(err)
	}
	m, err := a.member(c, u.ID())
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (a *API) revokeRole(c *fiber.Ctx) error {
	p, _ := authn.FromCtx(c)
	u, err := a.d.Service.RevokeStaffRole(c.UserContext(), p.UserID, userIDParam(c), c.Params("role"))
	if err != nil {
		return a.problem(err)
	}
	m, err := a.member(c, u.ID())
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// userIDParam is the :userId of the path; an oversized one matches nobody.
func userIDParam(c *fiber.Ctx) string {
	id := c.Params("userId")
	if len(id) > 128 {
		return ""
	}
	return id
}

// member is the staff view of one account after a change: its staff roles
// with their since (none left after revoking the last one).
func (a *API) member(c *fiber.Ctx, userID string) (staffMemberDTO, error) {
	staff, err := a.d.Service.Staff(c.UserContext())
	if err != nil {
		return staffMemberDTO{}, err
	}
	if i := slices.IndexFunc(staff, func(m ident.StaffMember) bool { return m.User.ID() == userID }); i >= 0 {
		return toStaffDTO(staff[i]), nil
	}
	u, err := a.d.Service.User(c.UserContext(), userID)
	if err != nil {
		return staffMemberDTO{}, a.problem(err)
	}
	return toStaffDTO(ident.StaffMember{User: u}), nil
}

// auditEntryDTO is one grant or revocation. Actor is the admin's user id,
// "bootstrap" for the operator's admin bootstrap, or "" for grants recorded
// before actors were; ActorEmail names a user actor.
type auditEntryDTO struct {
	ID            string `json:"id"`
	Action        string `json:"action"`
	Role          string `json:"role"`
	UserID        string `json:"userId"`
	Email         string `json:"email"`
	Name          string `json:"name"`
	Actor         string `json:"actor"`
	ActorEmail    string `json:"actorEmail,omitempty"`
	ViaInvitation bool   `json:"viaInvitation"`
	At            string `json:"at"`
}

type auditResponse struct {
	Items []auditEntryDTO `json:"items"`
	// Next is the "before" of the next (older) page; absent on the last.
	Next uint64 `json:"next,omitempty"`
}

func (a *API) staffAudit(c *fiber.Ctx) error {
	var fields []httpx.FieldError
	limit, before := 50, uint64(0)
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			fields = append(fields, httpx.FieldError{Field: "limit", Reason: "must be 1-200"})
		}
		limit = n
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 63)
		if err != nil || n == 0 {
			fields = append(fields, httpx.FieldError{Field: "before", Reason: "must be a position from a previous page"})
		}
		before = n
	}
	if len(fields) > 0 {
		return httpx.Invalid(fields...)
	}
	changes, next, err := a.d.Service.RoleAudit(c.UserContext(), before, limit)
	if err != nil {
		return err
	}
	emails := map[string]string{}
	items := make([]auditEntryDTO, 0, len(changes))
	for _, ch := range changes {
		e := auditEntryDTO{ID: ch.EventID, Action: ch.Action, Role: string(ch.Role), UserID: ch.UserID, Email: ch.Email, Name: ch.Name,
			Actor: ch.Actor, ViaInvitation: ch.ViaInvitation, At: ch.At.UTC().Format(time.RFC3339)}
		if ch.Actor != "" && ch.Actor != domain.ActorBootstrap {
			email, seen := emails[ch.Actor]
			if !seen {
				if u, err := a.d.Service.User(c.UserContext(), ch.Actor); err == nil {
					email = u.Email().String()
				} else if !errors.Is(err, ident.ErrUserNotFound) {
					return err
				}
				emails[ch.Actor] = email
			}
			e.ActorEmail = email
		}
		items = append(items, e)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(auditResponse{Items: items, Next: next})
}

// acceptInvitation sets the invitee's first password from the link. Like a
// reset, it signs nobody in: the invitee signs in next.
func (a *API) acceptInvitation(c *fiber.Ctx) error {
	req, err := decode(c, decodeReset)
	if err != nil {
		return err
	}
	if err := a.limit(c, "reset:ip:"+a.ip(c), a.d.Limits.ResetPerIP); err != nil {
		return err
	}
	if err := a.d.Service.AcceptInvitation(c.UserContext(), req.Token, req.Password); err != nil {
		return a.problem(err)
	}
	a.clearCookies(c)
	return c.JSON(statusResponse{Status: "invitation_accepted", Detail: "Your password is set: sign in with it."})
}
