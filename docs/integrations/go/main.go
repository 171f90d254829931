// A Go web app that signs its users in through SSO Hub with github.com/coreos/go-oidc/v3 and
// golang.org/x/oauth2: authorization code with PKCE S256, ID token checked (ES256 by default),
// email and name from userinfo, refresh with rotation, and a back-channel logout endpoint that
// ends the app's session when the user signs out anywhere. See ../go.md for each setting.
//
// Sessions live in process memory to keep the recipe short; a real app keeps them in its own
// store (Redis, SQL), indexed by the hub's `sid` so a logout token can find them.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

type session struct {
	Subject string
	Sid     string
	Email   string
	Name    string
	Token   *oauth2.Token
}

type pendingLogin struct {
	Nonce    string
	Verifier string
	Expires  time.Time
}

type app struct {
	oauth    oauth2.Config
	provider *oidc.Provider
	idTokens *oidc.IDTokenVerifier
	logouts  *oidc.IDTokenVerifier
	secure   bool

	mu       sync.Mutex
	sessions map[string]*session     // app session id -> session
	pending  map[string]pendingLogin // state -> what the callback must check
	seenJti  map[string]time.Time    // logout token ids already used, until they expire
}

func main() {
	env := func(name string, fallback string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		if fallback == "" {
			log.Fatalf("%s is required", name)
		}
		return fallback
	}
	issuer := env("SSOHUB_ISSUER", "")
	appURL := strings.TrimRight(env("APP_URL", ""), "/")
	// ES256 is what the hub gives clients onboarded without an explicit algorithm (decision 0008).
	// A library that only knows RS256 needs the client onboarded with `--id-token-alg RS256`.
	idTokenAlg := env("ID_TOKEN_ALG", oidc.ES256)

	ctx := context.Background()
	// Discovery, JWKS, token and userinfo calls use http.DefaultClient: a private CA is trusted
	// through SSL_CERT_FILE, read by Go's crypto/x509 on Linux.
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		log.Fatalf("discovery at %s failed: %v", issuer, err)
	}
	a := &app{
		provider: provider,
		oauth: oauth2.Config{
			ClientID:     env("CLIENT_ID", ""),
			ClientSecret: env("CLIENT_SECRET", ""),
			Endpoint:     provider.Endpoint(), // client_secret_basic, as the hub onboards clients
			RedirectURL:  appURL + "/auth/callback",
			// offline_access asks for a refresh token; email and profile make userinfo answer them.
			Scopes: []string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess},
		},
		secure:   strings.HasPrefix(appURL, "https://"),
		sessions: map[string]*session{},
		pending:  map[string]pendingLogin{},
		seenJti:  map[string]time.Time{},
	}
	a.idTokens = provider.Verifier(&oidc.Config{ClientID: a.oauth.ClientID, SupportedSigningAlgs: []string{idTokenAlg}})
	// The hub signs logout tokens with the client's ID token algorithm too; they carry no nonce.
	a.logouts = provider.Verifier(&oidc.Config{ClientID: a.oauth.ClientID, SupportedSigningAlgs: []string{idTokenAlg}})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /auth/login", a.login)
	mux.HandleFunc("GET /auth/callback", a.callback)
	mux.HandleFunc("POST /auth/refresh", a.refresh)
	mux.HandleFunc("POST /auth/backchannel-logout", a.backchannelLogout)

	listen := env("LISTEN", "127.0.0.1:8080")
	server := &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on %s as %s", listen, appURL)
	if cert, key := os.Getenv("TLS_CERT_FILE"), os.Getenv("TLS_KEY_FILE"); cert != "" && key != "" {
		err = server.ListenAndServeTLS(cert, key)
	} else {
		err = server.ListenAndServe()
	}
	log.Fatal(err)
}

func randomString() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (a *app) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
}

func (a *app) current(r *http.Request) (string, *session) {
	c, err := r.Cookie("app_session")
	if err != nil {
		return "", nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return c.Value, a.sessions[c.Value]
}

var page = template.Must(template.New("home").Parse(`<!doctype html><title>Go recipe</title>
{{if .}}<p data-testid="user">Signed in as <strong>{{.Email}}</strong> ({{.Name}})</p>
<form method="post" action="/auth/refresh"><button>Refresh tokens</button></form>
{{else}}<p data-testid="anonymous">Not signed in. <a href="/auth/login">Sign in</a></p>{{end}}`))

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	_, s := a.current(r)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, s)
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	state, nonce := randomString(), randomString()
	verifier := oauth2.GenerateVerifier()
	a.mu.Lock()
	a.pending[state] = pendingLogin{Nonce: nonce, Verifier: verifier, Expires: time.Now().Add(10 * time.Minute)}
	a.mu.Unlock()
	// Binds the state to this browser: a callback carrying another browser's state is refused.
	a.setCookie(w, "login_state", state, 600)
	// The hub requires PKCE with S256 on every authorization request.
	http.Redirect(w, r, a.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	c, err := r.Cookie("login_state")
	if err != nil || state == "" || c.Value != state {
		http.Error(w, "state mismatch: start the sign-in again", http.StatusBadRequest)
		return
	}
	a.setCookie(w, "login_state", "", -1)
	a.mu.Lock()
	p, ok := a.pending[state]
	delete(a.pending, state)
	a.mu.Unlock()
	if !ok || time.Now().After(p.Expires) {
		http.Error(w, "sign-in expired: start again", http.StatusBadRequest)
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		http.Error(w, "the hub refused the sign-in: "+e, http.StatusForbidden)
		return
	}
	ctx := r.Context()
	token, err := a.oauth.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		http.Error(w, "code exchange failed", http.StatusBadGateway)
		log.Printf("code exchange failed: %v", err)
		return
	}
	rawID, _ := token.Extra("id_token").(string)
	idToken, err := a.idTokens.Verify(ctx, rawID)
	if err != nil || idToken.Nonce != p.Nonce {
		http.Error(w, "ID token refused", http.StatusBadGateway)
		log.Printf("ID token refused: %v", err)
		return
	}
	var idClaims struct {
		Sid string `json:"sid"`
	}
	if err := idToken.Claims(&idClaims); err != nil {
		http.Error(w, "ID token unreadable", http.StatusBadGateway)
		return
	}
	// The hub's ID token carries no email or name: they come from userinfo.
	info, err := a.provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil || info.Subject != idToken.Subject {
		http.Error(w, "userinfo failed", http.StatusBadGateway)
		log.Printf("userinfo failed: %v", err)
		return
	}
	var profile struct {
		Name string `json:"name"`
	}
	_ = info.Claims(&profile)
	id := randomString()
	a.mu.Lock()
	a.sessions[id] = &session{Subject: idToken.Subject, Sid: idClaims.Sid, Email: info.Email, Name: profile.Name, Token: token}
	a.mu.Unlock()
	a.setCookie(w, "app_session", id, 0)
	http.Redirect(w, r, "/", http.StatusFound)
}

// refresh trades the refresh token for new tokens. The hub rotates refresh tokens: the new one
// replaces the old, which must not be used again. A refused refresh means the user's hub session
// is over, so the app's ends too.
func (a *app) refresh(w http.ResponseWriter, r *http.Request) {
	id, s := a.current(r)
	if s == nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	a.mu.Lock()
	old := s.Token.RefreshToken
	a.mu.Unlock()
	// A token with only a refresh token is never valid, so the source always calls the hub.
	token, err := a.oauth.TokenSource(r.Context(), &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		a.mu.Lock()
		delete(a.sessions, id)
		a.mu.Unlock()
		a.setCookie(w, "app_session", "", -1)
		http.Error(w, "refresh refused: signed out", http.StatusUnauthorized)
		return
	}
	a.mu.Lock()
	s.Token = token
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"refreshed": true, "rotated": token.RefreshToken != "" && token.RefreshToken != old, "expires_in": int(time.Until(token.Expiry).Seconds())})
}

// backchannelLogout follows OpenID Connect Back-Channel Logout 1.0 section 2.6: the signature, iss,
// aud and exp are checked by go-oidc; the rest (events, sid/sub, iat, jti, no nonce) here.
func (a *app) backchannelLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	refuse := func(reason string) {
		log.Printf("logout token refused: %s", reason)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": reason})
	}
	raw := r.PostFormValue("logout_token")
	if raw == "" {
		refuse("no logout_token")
		return
	}
	token, err := a.logouts.Verify(r.Context(), raw)
	if err != nil {
		refuse(err.Error())
		return
	}
	var claims struct {
		Sid    string                     `json:"sid"`
		Jti    string                     `json:"jti"`
		Iat    *int64                     `json:"iat"`
		Nonce  *string                    `json:"nonce"`
		Events map[string]json.RawMessage `json:"events"`
	}
	if err := token.Claims(&claims); err != nil {
		refuse("claims unreadable")
		return
	}
	if _, ok := claims.Events[backchannelLogoutEvent]; !ok {
		refuse("no back-channel logout event")
		return
	}
	if claims.Nonce != nil {
		refuse("a logout token must not carry a nonce")
		return
	}
	if claims.Iat == nil || claims.Jti == "" {
		refuse("iat and jti are required")
		return
	}
	if claims.Sid == "" && token.Subject == "" {
		refuse("neither sid nor sub")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for jti, until := range a.seenJti {
		if now.After(until) {
			delete(a.seenJti, jti)
		}
	}
	if _, seen := a.seenJti[claims.Jti]; seen {
		refuse("logout token replayed")
		return
	}
	a.seenJti[claims.Jti] = token.Expiry
	ended := 0
	for id, s := range a.sessions {
		// With a sid, only that hub session ends; with only a sub, every session of the user.
		if (claims.Sid != "" && s.Sid == claims.Sid) || (claims.Sid == "" && s.Subject == token.Subject) {
			delete(a.sessions, id)
			ended++
		}
	}
	log.Printf("back-channel logout ended %d session(s)", ended)
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "")
}
