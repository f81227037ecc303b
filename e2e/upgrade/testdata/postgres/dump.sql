--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: access_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.access_keys (
    singleton integer NOT NULL,
    id text NOT NULL,
    sealed_secret bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT access_keys_singleton_check CHECK ((singleton = 1))
);


--
-- Name: applications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.applications (
    seq bigint NOT NULL,
    id text NOT NULL,
    name text NOT NULL,
    secret_hash text NOT NULL,
    redirect_uris text[] NOT NULL,
    logout_redirect_uris text[] NOT NULL,
    token_auth_method text NOT NULL,
    introspection_auth_method text NOT NULL,
    revocation_auth_method text NOT NULL,
    grant_types text[] NOT NULL,
    access_token_ttl bigint NOT NULL,
    refresh_token_ttl bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    id_token_ttl bigint DEFAULT '3600000000000'::bigint NOT NULL,
    id_token_alg text DEFAULT 'RS256'::text NOT NULL,
    require_consent boolean DEFAULT false NOT NULL,
    app_identifier text,
    logo text DEFAULT ''::text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    app_type text DEFAULT 'web'::text NOT NULL,
    default_protocol text DEFAULT 'oidc'::text NOT NULL,
    init_login_uri text DEFAULT ''::text NOT NULL,
    sso_enabled boolean DEFAULT false NOT NULL,
    rotate_refresh_tokens boolean DEFAULT false NOT NULL,
    refresh_grace_period bigint DEFAULT 0 NOT NULL,
    refresh_idle_ttl bigint DEFAULT 0 NOT NULL,
    reject_pkce_plain boolean DEFAULT false NOT NULL,
    allowed_scopes text DEFAULT ''::text NOT NULL,
    claims_format text DEFAULT 'standard'::text NOT NULL,
    web_origins text[] DEFAULT '{}'::text[] NOT NULL
);


--
-- Name: applications_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.applications ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.applications_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
    seq bigint NOT NULL,
    "time" timestamp with time zone NOT NULL,
    type text NOT NULL,
    user_id text NOT NULL,
    client_id text NOT NULL,
    ip text NOT NULL,
    detail text NOT NULL
);


--
-- Name: audit_events_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_events_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_events_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_events_seq_seq OWNED BY public.audit_events.seq;


--
-- Name: auth_codes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auth_codes (
    hash text NOT NULL,
    grant_id text NOT NULL,
    client_id text NOT NULL,
    user_id text NOT NULL,
    redirect_uri text NOT NULL,
    scope text NOT NULL,
    protocol text NOT NULL,
    nonce text NOT NULL,
    code_challenge text NOT NULL,
    code_challenge_method text NOT NULL,
    session_id_hash text NOT NULL,
    auth_time timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    redeemed_at timestamp with time zone
);


--
-- Name: consents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consents (
    user_id text NOT NULL,
    client_id text NOT NULL,
    scopes text[] NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: login_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_history (
    seq bigint NOT NULL,
    user_id text NOT NULL,
    app_id text NOT NULL,
    client_ip text NOT NULL,
    user_agent text NOT NULL,
    "time" timestamp with time zone NOT NULL
);


--
-- Name: login_history_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.login_history ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.login_history_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version text NOT NULL,
    applied_at timestamp with time zone NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id_hash text NOT NULL,
    user_id text NOT NULL,
    auth_time timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone NOT NULL
);


--
-- Name: signature_nonces; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.signature_nonces (
    nonce text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: signing_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.signing_keys (
    id text NOT NULL,
    alg text NOT NULL,
    public_der bytea NOT NULL,
    encrypted_private bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    activates_at timestamp with time zone NOT NULL
);


--
-- Name: throttles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.throttles (
    key text NOT NULL,
    count integer NOT NULL,
    window_start timestamp with time zone NOT NULL,
    locked_until timestamp with time zone,
    expires_at timestamp with time zone DEFAULT (now() + '01:00:00'::interval) NOT NULL
);


--
-- Name: tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tokens (
    hash text NOT NULL,
    id text,
    kind text NOT NULL,
    grant_id text NOT NULL,
    parent_id text,
    client_id text NOT NULL,
    user_id text NOT NULL,
    scope text NOT NULL,
    protocol text NOT NULL,
    issued_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    rotated_at timestamp with time zone,
    used_at timestamp with time zone
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    seq bigint NOT NULL,
    id text NOT NULL,
    username text,
    email text,
    email_lower text,
    email_verified boolean NOT NULL,
    phone text,
    phone_verified boolean NOT NULL,
    password_hash text NOT NULL,
    name text NOT NULL,
    given_name text NOT NULL,
    family_name text NOT NULL,
    middle_name text NOT NULL,
    nickname text NOT NULL,
    preferred_username text NOT NULL,
    profile text NOT NULL,
    picture text NOT NULL,
    website text NOT NULL,
    gender text NOT NULL,
    birthdate text NOT NULL,
    zoneinfo text NOT NULL,
    locale text NOT NULL,
    address jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    status text DEFAULT 'Activated'::text NOT NULL,
    external_id text,
    custom_data jsonb DEFAULT '{}'::jsonb NOT NULL,
    source_type text DEFAULT 'register'::text NOT NULL,
    logins_count integer DEFAULT 0 NOT NULL,
    last_login timestamp with time zone,
    last_ip text DEFAULT ''::text NOT NULL,
    username_key text,
    username_dup text DEFAULT ''::text NOT NULL
);


--
-- Name: users_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.users ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.users_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_events seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ALTER COLUMN seq SET DEFAULT nextval('public.audit_events_seq_seq'::regclass);


--
-- Data for Name: access_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.access_keys VALUES (1, '0f374e2711ce34e3612d44d5', '\xcaf818760dc617e04b81e62a770b8bd48c6c270a929ca1fba3af0a430aad095bdc577453b39a13e2618e9fcbf21f6bf3b35b7a6a6e2b25957390a67e', '2026-12-04 22:04:13.378708+00', '2026-12-04 22:04:13.378708+00');


--
-- Data for Name: applications; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.applications OVERRIDING SYSTEM VALUE VALUES (1, '92d60468f0e19df9e3be2598', 'Demo application', '13b341eaf6315ab036d715e705a04b3bb494c5ff8bc6f9dc57c6445bec1e428f', '{http://localhost:3000/callback}', '{http://localhost:3000/}', 'client_secret_post', 'client_secret_post', 'client_secret_post', '{authorization_code,refresh_token}', 1209600000000000, 2592000000000000, '2026-12-04 22:04:13.523915+00', '2026-12-04 22:04:13.523915+00', 3600000000000, 'RS256', false, NULL, '', '', 'web', 'oidc', '', false, true, 5000000000, 0, false, '', 'standard', '{}');
INSERT INTO public.applications OVERRIDING SYSTEM VALUE VALUES (2, '6ba81839e8f215b16bcbae48', 'Web (confidential, rotating refresh, client_credentials)', 'f4fa74e31b4620b19472f3a7dd6adba34bbecaabc629a4599bbe485c4c30b623', '{https://web.example/callback}', '{https://web.example/}', 'client_secret_post', 'client_secret_post', 'client_secret_post', '{authorization_code,refresh_token,client_credentials}', 1209600000000000, 2592000000000000, '2026-12-04 22:04:13.750853+00', '2026-12-04 22:04:13.750853+00', 3600000000000, 'RS256', false, NULL, '', '', 'web', 'oidc', '', false, true, 10000000000, 0, false, 'reports:read reports:write', 'genauth', '{https://web.example,https://admin.web.example}');
INSERT INTO public.applications OVERRIDING SYSTEM VALUE VALUES (3, 'a155ecc4b8d5e47ae5efc732', 'Back office (client_secret_basic, ES256, classic refresh)', '3986181e51a0783c803cdc7d89c3ae2cb472f68ef71b431397a7f88b68fc0c5b', '{https://backoffice.example/cb}', '{https://backoffice.example/bye}', 'client_secret_basic', 'client_secret_basic', 'client_secret_basic', '{authorization_code,refresh_token}', 7200000000000, 7776000000000000, '2026-12-04 22:04:13.844449+00', '2026-12-04 22:04:13.844449+00', 1800000000000, 'ES256', false, NULL, '', '', 'web', 'oidc', '', false, false, 0, 0, false, '', 'standard', '{}');
INSERT INTO public.applications OVERRIDING SYSTEM VALUE VALUES (4, '4d2204da8936366f13a9fa7e', 'Single-page app (public, PKCE S256 only)', '', '{https://spa.example/callback}', '{}', 'none', 'none', 'none', '{authorization_code,refresh_token}', 1209600000000000, 2592000000000000, '2026-12-04 22:04:13.944898+00', '2026-12-04 22:04:13.944898+00', 3600000000000, 'RS256', false, NULL, '', '', 'web', 'oidc', '', false, true, 5000000000, 604800000000000, true, '', 'standard', '{https://spa.example}');
INSERT INTO public.applications OVERRIDING SYSTEM VALUE VALUES (5, 'b0dbc9c93ac9d5fa11b40aef', 'Third party (require consent)', '11c9f4d29c56396088b1d92a96a73adfc312f4b812014c79e0b123cff5d5d8c6', '{https://third.example/callback}', '{https://third.example/}', 'client_secret_post', 'client_secret_post', 'client_secret_post', '{authorization_code,refresh_token}', 1209600000000000, 2592000000000000, '2026-12-04 22:04:14.096481+00', '2026-12-04 22:04:14.096481+00', 3600000000000, 'RS256', true, NULL, '', '', 'web', 'oidc', '', false, true, 5000000000, 0, false, '', 'standard', '{}');
INSERT INTO public.applications OVERRIDING SYSTEM VALUE VALUES (6, 'b33ddaf5d1e7c7a20c07441f', 'Partner portal (created with the management API)', '60d817739e3740867bde254311b69b58815ba3dc524f63ba1dacc6883ef1e371', '{https://partner.example/oidc/callback}', '{https://partner.example/signed-out}', 'client_secret_post', 'client_secret_post', 'client_secret_post', '{authorization_code,refresh_token}', 7200000000000, 2592000000000000, '2026-12-04 22:04:14.107402+00', '2026-12-04 22:04:14.117565+00', 1800000000000, 'RS256', false, 'partner-portal', 'https://partner.example/logo.png', 'Orders and invoices for partners', 'web', 'oidc', 'https://partner.example/login', false, true, 5000000000, 0, false, '', 'standard', '{https://partner.example}');


--
-- Data for Name: audit_events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_events VALUES (1, '2026-12-04 22:04:15.157775+00', 'login.success', '670643ce5c150005db0fe04f', '6ba81839e8f215b16bcbae48', '127.0.0.1', '');
INSERT INTO public.audit_events VALUES (2, '2026-12-04 22:04:15.174708+00', 'token.issue', '670643ce5c150005db0fe04f', '6ba81839e8f215b16bcbae48', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (3, '2026-12-04 22:04:15.180921+00', 'token.issue', '670643ce5c150005db0fe04f', '6ba81839e8f215b16bcbae48', '127.0.0.1', 'refresh_token');
INSERT INTO public.audit_events VALUES (4, '2026-12-04 22:04:15.213654+00', 'login.failure', '670643ce5c150005db0fe04f', '', '127.0.0.1', 'wrong credentials');
INSERT INTO public.audit_events VALUES (5, '2026-12-04 22:04:15.258242+00', 'login.success', '670643ce5c150005db0fe04f', 'b33ddaf5d1e7c7a20c07441f', '127.0.0.1', '');
INSERT INTO public.audit_events VALUES (6, '2026-12-04 22:04:15.286775+00', 'token.issue', '670643ce5c150005db0fe04f', 'b33ddaf5d1e7c7a20c07441f', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (7, '2026-12-04 22:04:15.361263+00', 'login.success', '38168ff1b783f9afb7ced403', 'a155ecc4b8d5e47ae5efc732', '127.0.0.1', '');
INSERT INTO public.audit_events VALUES (8, '2026-12-04 22:04:15.388082+00', 'token.issue', '38168ff1b783f9afb7ced403', 'a155ecc4b8d5e47ae5efc732', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (9, '2026-12-04 22:04:15.430445+00', 'login.success', '47f782d82580d0d43dcb3a02', 'b0dbc9c93ac9d5fa11b40aef', '127.0.0.1', '');
INSERT INTO public.audit_events VALUES (10, '2026-12-04 22:04:15.445693+00', 'token.issue', '47f782d82580d0d43dcb3a02', 'b0dbc9c93ac9d5fa11b40aef', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (11, '2026-12-04 22:04:15.479001+00', 'user.register', 'e10daabd81208fc687eaaa59', '', '127.0.0.1', '');
INSERT INTO public.audit_events VALUES (12, '2026-12-04 22:04:15.48326+00', 'token.issue', 'e10daabd81208fc687eaaa59', '4d2204da8936366f13a9fa7e', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (13, '2026-12-04 22:04:15.528501+00', 'login.success', '0cb6202635279965af38e131', '92d60468f0e19df9e3be2598', '127.0.0.1', '');
INSERT INTO public.audit_events VALUES (14, '2026-12-04 22:04:15.533837+00', 'token.issue', '0cb6202635279965af38e131', '92d60468f0e19df9e3be2598', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (15, '2026-12-04 22:04:15.543469+00', 'token.issue', '670643ce5c150005db0fe04f', '92d60468f0e19df9e3be2598', '127.0.0.1', 'authorization_code');
INSERT INTO public.audit_events VALUES (16, '2026-12-04 22:04:15.549245+00', 'token.revoke', '670643ce5c150005db0fe04f', '92d60468f0e19df9e3be2598', '127.0.0.1', 'refresh');
INSERT INTO public.audit_events VALUES (17, '2026-12-04 22:04:15.550517+00', 'token.issue', '', '6ba81839e8f215b16bcbae48', '127.0.0.1', 'client_credentials');
INSERT INTO public.audit_events VALUES (18, '2026-12-04 22:04:15.551561+00', 'token.issue', '', '6ba81839e8f215b16bcbae48', '127.0.0.1', 'client_credentials');
INSERT INTO public.audit_events VALUES (19, '2026-12-04 22:04:15.553154+00', 'token.revoke', '', '6ba81839e8f215b16bcbae48', '127.0.0.1', 'access');


--
-- Data for Name: auth_codes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.auth_codes VALUES ('419b72d6d5d15396b0867221e8c2cd5acdc49f85bf4d6a7ff3b83cd56853b1d2', 'f7yoQ87PZoumBYW10M9c', '6ba81839e8f215b16bcbae48', '670643ce5c150005db0fe04f', 'https://web.example/callback', 'user', 'oauth', '', '', '', '30ca9b94a66a3cdac9450c96d97cdf69327e8102b2824babbd14f10e221b2a1e', '2026-12-04 22:04:15.156723+00', '2026-12-04 22:04:15.167365+00', '2026-12-04 22:14:15.167365+00', '2026-12-04 22:04:15.171177+00');
INSERT INTO public.auth_codes VALUES ('d126a595ca4888978331af79a2b7d08d40282ff672a22d1c0f64fa7bc0941af1', 'uLMrIWg2mRC0TDmG8m7w', 'b33ddaf5d1e7c7a20c07441f', '670643ce5c150005db0fe04f', 'https://partner.example/oidc/callback', 'openid profile email phone offline_access', 'oidc', 'n-EEPB64VJ5623YNBEQSMT6GYCD2', '', '', 'b85198b692a98a76f1f37b571298f7636afe7c16f82ed02eef172b88e5194934', '2026-12-04 22:04:15.256986+00', '2026-12-04 22:04:15.262368+00', '2026-12-04 22:14:15.262368+00', '2026-12-04 22:04:15.28309+00');
INSERT INTO public.auth_codes VALUES ('44d14333ab2214491c839cc1e474837d9da5e878c8ffeda61688bcd62a7aaaf3', 'opfdBlOky8Y41UhQajsa', 'a155ecc4b8d5e47ae5efc732', '38168ff1b783f9afb7ced403', 'https://backoffice.example/cb', 'openid profile offline_access', 'oidc', 'n-MVOWWOYHC5VLVH2SUBE4BCUV7L', '', '', '37315eafd6134aa5f4a1e6fbf0a18d4a1b4b159935e17eb67d56362f00231bb1', '2026-12-04 22:04:15.358896+00', '2026-12-04 22:04:15.37968+00', '2026-12-04 22:14:15.37968+00', '2026-12-04 22:04:15.382023+00');
INSERT INTO public.auth_codes VALUES ('63fd424f3dae4bb98032744ac68a1bf714a16d6e26b22238c7d1ad429673e26d', 'ySuF8otDxU97fG4PsljL', 'b0dbc9c93ac9d5fa11b40aef', '47f782d82580d0d43dcb3a02', 'https://third.example/callback', 'openid profile', 'oidc', 'n-GCQDVILREB2NZI5RH6NH4DQ2UD', '', '', '4abd7f8b0dcaf060ed145e9d2505f1153ead201f918a12be696a2b4342743205', '2026-12-04 22:04:15.429547+00', '2026-12-04 22:04:15.439741+00', '2026-12-04 22:14:15.439741+00', '2026-12-04 22:04:15.44292+00');
INSERT INTO public.auth_codes VALUES ('50fab6b3b5907e53f98bc2ba03958a6c50c2cc7b95880ec235c2bf661850dd02', 'YQE4ARKubwYURmyu441A', '4d2204da8936366f13a9fa7e', 'e10daabd81208fc687eaaa59', 'https://spa.example/callback', 'user', 'oauth', '', 'Tphe7iFwvwLWX9ME4K8Lhj46v_zulYJeggohxQXnJNk', 'S256', '2b34a318e204c9d488cf716dd48b4a6ca650186035c563e28cb5807484ef8fc3', '2026-12-04 22:04:15.479031+00', '2026-12-04 22:04:15.481138+00', '2026-12-04 22:14:15.481138+00', '2026-12-04 22:04:15.481936+00');
INSERT INTO public.auth_codes VALUES ('da0256f43d4c861d2565e08f678c3a623d7981ed40d30648148b68fe8ac59a90', 'gyYVYdcTtXHalDu0Q3HB', '92d60468f0e19df9e3be2598', '0cb6202635279965af38e131', 'http://localhost:3000/callback', 'user', 'oauth', '', '', '', '0fa04e3851a5ad7239ab12fe9566ab06da1b516a19a194e97f4052b4bf72c8a6', '2026-12-04 22:04:15.527968+00', '2026-12-04 22:04:15.531544+00', '2026-12-04 22:14:15.531544+00', '2026-12-04 22:04:15.532715+00');
INSERT INTO public.auth_codes VALUES ('a68d370866d8d71a654813d10000a56fd6f8cbcb4bb2313497d3581faf929746', 'vxQT0e7yMLrx-in0UMMK', '92d60468f0e19df9e3be2598', '670643ce5c150005db0fe04f', 'http://localhost:3000/callback', 'user', 'oauth', '', '', '', 'b85198b692a98a76f1f37b571298f7636afe7c16f82ed02eef172b88e5194934', '2026-12-04 22:04:15.256986+00', '2026-12-04 22:04:15.539685+00', '2026-12-04 22:14:15.539685+00', '2026-12-04 22:04:15.541396+00');


--
-- Data for Name: consents; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.consents VALUES ('47f782d82580d0d43dcb3a02', 'b0dbc9c93ac9d5fa11b40aef', '{openid,profile}', '2026-12-04 22:04:15.438358+00', '2026-12-04 22:04:15.438358+00');


--
-- Data for Name: login_history; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.login_history OVERRIDING SYSTEM VALUE VALUES (1, '670643ce5c150005db0fe04f', '6ba81839e8f215b16bcbae48', '127.0.0.1', 'Go-http-client/1.1', '2026-12-04 22:04:15.158357+00');
INSERT INTO public.login_history OVERRIDING SYSTEM VALUE VALUES (2, '670643ce5c150005db0fe04f', 'b33ddaf5d1e7c7a20c07441f', '127.0.0.1', 'Go-http-client/1.1', '2026-12-04 22:04:15.258628+00');
INSERT INTO public.login_history OVERRIDING SYSTEM VALUE VALUES (3, '38168ff1b783f9afb7ced403', 'a155ecc4b8d5e47ae5efc732', '127.0.0.1', 'Go-http-client/1.1', '2026-12-04 22:04:15.365153+00');
INSERT INTO public.login_history OVERRIDING SYSTEM VALUE VALUES (4, '47f782d82580d0d43dcb3a02', 'b0dbc9c93ac9d5fa11b40aef', '127.0.0.1', 'Go-http-client/1.1', '2026-12-04 22:04:15.430876+00');
INSERT INTO public.login_history OVERRIDING SYSTEM VALUE VALUES (5, '0cb6202635279965af38e131', '92d60468f0e19df9e3be2598', '127.0.0.1', 'Go-http-client/1.1', '2026-12-04 22:04:15.528961+00');


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migrations VALUES ('0001_init.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0002_oidc.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0003_management.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0004_refresh_rotation.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0005_security.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0006_signin.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0007_app_settings.sql', '2026-12-04 22:04:13.145205+00');
INSERT INTO public.schema_migrations VALUES ('0008_grants.sql', '2026-12-04 22:04:13.145205+00');


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sessions VALUES ('30ca9b94a66a3cdac9450c96d97cdf69327e8102b2824babbd14f10e221b2a1e', '670643ce5c150005db0fe04f', '2026-12-04 22:04:15.156723+00', '2026-12-04 22:04:15.156723+00', '2026-12-05 22:04:15.156723+00', '2026-12-04 22:04:15.156723+00');
INSERT INTO public.sessions VALUES ('b85198b692a98a76f1f37b571298f7636afe7c16f82ed02eef172b88e5194934', '670643ce5c150005db0fe04f', '2026-12-04 22:04:15.256986+00', '2026-12-04 22:04:15.256986+00', '2026-12-05 22:04:15.256986+00', '2026-12-04 22:04:15.256986+00');
INSERT INTO public.sessions VALUES ('37315eafd6134aa5f4a1e6fbf0a18d4a1b4b159935e17eb67d56362f00231bb1', '38168ff1b783f9afb7ced403', '2026-12-04 22:04:15.358896+00', '2026-12-04 22:04:15.358896+00', '2026-12-05 22:04:15.358896+00', '2026-12-04 22:04:15.358896+00');
INSERT INTO public.sessions VALUES ('4abd7f8b0dcaf060ed145e9d2505f1153ead201f918a12be696a2b4342743205', '47f782d82580d0d43dcb3a02', '2026-12-04 22:04:15.429547+00', '2026-12-04 22:04:15.429547+00', '2026-12-05 22:04:15.429547+00', '2026-12-04 22:04:15.429547+00');
INSERT INTO public.sessions VALUES ('2b34a318e204c9d488cf716dd48b4a6ca650186035c563e28cb5807484ef8fc3', 'e10daabd81208fc687eaaa59', '2026-12-04 22:04:15.479031+00', '2026-12-04 22:04:15.479031+00', '2026-12-05 22:04:15.479031+00', '2026-12-04 22:04:15.479031+00');


--
-- Data for Name: signature_nonces; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.signature_nonces VALUES ('MVMA3TYZDEBFYHUY36AK7NK4CK', '2026-12-04 22:34:15.553766+00');


--
-- Data for Name: signing_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.signing_keys VALUES ('NWLO1Ac1wAEDBCA3dlhW', 'RS256', '\x30820122300d06092a864886f70d01010105000382010f003082010a0282010100bca040bce1116d8ccb08e03eeaf19653ebf9463ccdce7950bf9ea469ad2051ce9ffd62317f94cb847573dc2cd3929eb907d2d1cdb836ca8c19fc2b595a3cc321ae12f56fb8691f9ecdd1b08d9d7d8b7c37413046ef589d2fbde342a0aa974d22865977c072cf14cca9fb2ae3075f7c36ee35112b4277d6b9558589f9ea503a9ff3980fea4d00cf64847712cd284bf7a585d82d4fa1604e0c7969fc1bb0f5d7cef98583b208487cc99ef20986239cf7930695ed9bfd1de22293dc74de9d85c1700ffd048678e63588df1e9528aefdbd7fda0e43e0e8c3200ebf2b366574358b315f708bc78849bfbb89495e2e9a7c5c90986c566937f6d895d81946cbba03c9c30203010001', '\x5f169c3519e1a4af5349c6a10104d7e5a8989f684b848931dc33dd79f966c616325a4cc938caea8e41e40e0dde3a24903228199c77cef02bc1521805d4d845754155a1648bd4aee62beb737161caac322b23802c6fd720afbd063f216bf89f8118baebdceb62079cc5f0ef697a303556c4ed377246665260974cfca029e0937f88a0f4351124c91261ea7fa4d5bf22323bb362d08505b73e88a14d0548db712bb809e2e55d06d822ad7c69072940390c3b55661f3e6f1d126c72eb3150552a135fc7ddb57fdd949e11d732123b6d4ea0cc75a1137ca5fee835e18b2ee843b9c11043412a903dd5cf8e85caa1ab904f70957761ac69256100ab4751bb5434eeaddf67c0a43c14d59af4340a6ea82173d42ba602e4c8c1f5732c0f297624049963c27adc53239ed1795e3f4f6169f0dba8b5562bf38acdc67aaf2c9333e2063da04c1133c6d5f7dfbab57525919e6c8b27a25b3359f7d0ca2596da90e20be621c639bc2f501d4a2d26da3d2e2b5de8d34c2a2e37b1e97cd8e3e4f4bfb795652067116a131fd9bf28459987df5b81b2ba7c0dce1330302ef446b18be0d1d8a716aa915e6e5c8a5c5ffd35cff7cfb606e3bd82560f0b77084ee701f65faf2e5b89cdef5715d9f847c7f60376072551afbc73cca1812c6c49fa65d1d1e1af6fa716e413ff4b3d3196feb1e5ecb88177a4a2d60c8d6f08506adf4d33dac7383cd0fdeaed2e7a607ae41f2af6b2441dc322987c26726cac48e0f0f495564e4054e5c86f4688d2f5a8e1e1bc516d6089059a05309af732522cf80da7f91b52e0e0e777e58d72e3a653e5a380dd23a562363e754bfa6073b9bb6d7077c106767744f6a935204f5f1a0738ded92a1864df42af0793e79ee483e53cb981c3f00242431d079c53862b46835cbb86e42fb7779edadc3a5145fa0b261f6fa04bba84bbc6ed24d6620bb612a01f5f5596cf3dddcc7d70f08ea65d6f2fd8a8b246a794de3e00fef2d33dd8dc34fdd86764d037dad912bcaf036407a9bff9d48a28eb01ea0e2ad620e9b11c7d5f9a5faa2c5634a5f9ffae35025782413e3ddab1af33e8adcd33d376b8dd7061a915fd6f581b17960e1d814f633bfedf20438764d0a9430073015417eb7b5599d97b9e8b9bafe6789488491213b0ecb43d48ebc07efa9797dd1f25ae27cac595424b7984e0ad09b22db51f2e3e4b0951d271f45c23c50c401e4683b160942f7f6539e8f78570bd26cc2dedcdeefc3e93b87bfc9029f750f7ca96cf3d1d622c376bf805ffcb69f3d8f2f462d64b423ebc005316157669223f3d7b876c30e2953da9c24c7c3dd63532a80b87190e056e5dbd0134ba58b1c52761f8b122dbff9f1a246f43da1bfbba236d51051a7222bd7928de806624f9e1f9106d37927c81c4196c3652bf5f8037b59f0704c683155b5e3591242569f1327a1dca3d435c949f587977e430be806aa3391f00cc7daed04665d198892e166fb3ee73d593ef5366f2369583e0f69f7d4127b95e6cdd5c832bb4dadf5b5806d9e92afc369913bd06129938c0bb891317abd119c8ee5338dfdc8f6add474e8a03ddcc1b4f00b8ab54f80864656b62da2838a6c67953eba12d4c29d7ebfb98c1e6cf9633227d5960942f28461731bff04c565879f10d8b18184d194c73de790515f4dbaf8394c4d06d4756e2640f16b0e6f9e6190e2e54f714da0041939db93c0d24e90b7ec99ae4753cd768f3f179c90acdc82268f42488f8bac0b36de421bce90a', '2026-12-04 22:04:13.350744+00', '2026-12-04 22:04:13.312013+00');
INSERT INTO public.signing_keys VALUES ('sCLL0_rGr6LbjcoSsnfQ', 'RS256', '\x30820122300d06092a864886f70d01010105000382010f003082010a0282010100b805709cfc4a360865b2322c001e655bda38df057fc4d8e9e3c641a197b047269ee63064e5d238b8ab06b4b6ad7a52391aebb42fb48b7aed828e839065413238bb7f885b7d403ebe3fd4d77465e5b743fbab53aa953280666b6a6fab7735c3c68c52bdfdd525c727bad94e15ff0a7b8c460cab11f13d191637c1b10c43398e46449bc3f85a3b0f4de51d7a39e1a061b90d99f84364c9391defd8b45b42e0557a942f732e95bb3f8320e017e65550dce68e078e8c6947c1211fb803937453f3e13a7fabf800cac7bc19684e9d71d14299fbda838df2897ffaac1c45c1de4f861d73c277ee13a9fbe3c2bde3fa3e4c2ae54fbad3370020309c7a962d1adf4648fd0203010001', '\x65cde19facb3d24b32cbfec881700144afd3a9276c1cf14e90560ad883a70334c9160f1be3a44a4d236e63529bf474215bfab5bcb18cf0fc2b33c210fd481c5f8915b5cc5ba94ceb2a7d538f457d1c580571491bc0358f0013711852c80400aa188bd8d7f949f26f1edbd4976ceb3ddfbc4ead083dd97bc7729cf2f25570e91699847b948feac6d874985d120a2f75b22d276f6d1aefeaf21e657afde4ae60d18ddb103a9a75a3a7e0e3632bf5a0523755ba1f128dae7ed8916c3b9115640d6bd1a26d9d2ff524738033fd4ab65e72067b21055b4385b27f8df3b9003438ee654769c59ef4e06b81ef36bb01ea1c7cdb11f79424afb79f911b984a5e560f55daedf2e8765a76b1ceabe434b809dd4776947131ade1ce382520ef6dba1363c3852263b86ffb5202a7cb85560294625e06931965500ccdcfa8db0a7b26d8d45ebe83ede2562083e5a7380241da2b528c5e5d7b6c93b5f470b93a3a3627965ccac431d268abb60b73145099de800d41ffced45ec360f88eaa62bc4085dc169e01b5a60860be67745711ceadcd97b41161e07d1bf9e9bb67dea5ef100e40ed889acc4e3e7fab5e5db0ac68b11af589d84c6445b9b03d8a8bf291cc30f37760bfbb82a0177325fa4d16b1a31491568b81ff7507966c853de5c6380d1b5143849f6a268920ec1409c87b3a46db8a7056493a67752d2c7bd467baa34efa3062d6c52c291718c5947472c2961d38cdf6ce17dd368b1b39533833d69af45f5dc8dd5c3614b9ee3eae7f505d5a871a9ce8d9977ef1f8e89186d4f775ae03f4231db8cd67f059f91d4322b8925068c33574176badd1baeb2cef5bd0d3f654f2b34227395dae7063358ffcd3e1316e7e3ae86757e77320d625479a3378667864de3d08f0bda558d6526f890d0642102abcd5a7d12306ba546b78272a8d6c4a2bb7f05668d5f0b80425cea29a2b91cf1f70af04d6dc4319230763c3b011649e3aa3fdc7dea5375d89f069b17895da0a3ee7199b93aaa83258d6d88f529f5781403a0f83dc62d134f57b02078f6f4f1690726a12124963d0176738bdd3eba52a03490f451df448cecb14328fcdca98879098473dfb4f249d35f1fb7a27471872a3b9db9fae8d41e6fd68f86acd026b84a02bcbe150d5b3e12ec55b66556ecb5f820e2e37058744deacb5411b493f2d06c6d744a89bdb5b098cb1f04407ad1e5cdad5d1cfea816017eb17a19be19134e284f3846f9e269f45a8df16cf9f760df8476090db95505c90dd704190fe6c0975ba9c72172018a75aada0a364de522d0595e25e668545eb4d375a3932b7fdf117a1c01796767fe96769a7bdd5a699c0829de9c51426d7fc20996c7435ad5d7c8cf5c90a54317aedcd98e7bbf052c5603cfc9c01cf9e530d251a71353ac45838c1981a95880c0d7109fefac68b8fdde09ea0496edb5e4b609d03cc95a7eb704393bdbadf22055b1beea0af54d71b8670da07709a644d818ea160d50cf36b71bf8a81b11aa8485594e1098b4deaf90d71276334ba09935fe572caa22ffa7d6d73e3763a352850b7fe7fbb9268b2cab6c3eb70e4afd08e8fe72151c957b3e0c632e4d88708553321f91a08981b92da3833d3106e0745adbe92237d54184b4cbceadade0716c162d530d425cd8d03d3cdb7b65f9e2679491b9203f7975a0603fad6126fdd34eb761555e7307e0d2a976e2000f3e4bef9ab10336395dac6d0d8fa7b917f6db7023923c3155530c8cef734fffc27cd33', '2026-12-04 22:04:13.368473+00', '2027-01-03 22:04:13.312013+00');
INSERT INTO public.signing_keys VALUES ('uRqj-NubNmz7WA1csTae', 'ES256', '\x3059301306072a8648ce3d020106082a8648ce3d0301070342000448b50decf2c6217c463730bc5e404b053f324d455d4dd63e89f5e8aee19f93a160d1cafef712b9adf4c0f840046b4c8858b3db0332aefc8dd37b12c7e3d086c6', '\x14cb3e452217afc023f1fd354b4892fbb31d7ed7b33914a3ac582b9a766bd65f8821a24d9136bd2f1adc4ad18dbd6ead70af7971dbaefc753b38af8f82757c4d3098785bc9d90aefa2da77eb1844ed9a54944fd2518f6cf550cecbf1eec780e8e944b56bc60d96851c8a42c00e3883c64217c9abaa74ad68ab9b3fbbd2b5f455267bb892dde13ecb08034f26b46678cd10a7ea58c13643bd80f6762b29e5f9361afba150fbca', '2026-12-04 22:04:13.369612+00', '2026-12-04 22:04:13.312013+00');
INSERT INTO public.signing_keys VALUES ('XLxHRgYuIdrWRCELlrs4', 'ES256', '\x3059301306072a8648ce3d020106082a8648ce3d030107034200048c7d671a849c1d080590ff8537e720c5a111e4b3f845b67cbd8eeb3ff4564b6e8b5047b2b7adc873de2cc3bad6555418c59843e253b2c820b872cee2fff749c5', '\x3f9f6145169a8af33d5cbb1b4cb9816a7707860a9008fbeaae825d56df27a29424e8c870e4d26a2bdcf985f75c7b2cab99ea626d18d1aa43fe502fcabb602e22e8a7ef468355f2697221d4cddc4cb5422c14de94874f0303f8bf2edc1b7699a46150a3d8d875e33daa8c13bab5afe51e6a27f33a8a091f16a588b7d5215c45b9266710d8eee5eb7183ab6c0dbe0c1bdc6a202a11ced7d136b70a9618fdfb33ba99112ec49e35', '2026-12-04 22:04:13.37052+00', '2027-01-03 22:04:13.312013+00');


--
-- Data for Name: throttles; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.throttles VALUES ('register:127.0.0.1', 1, '2026-12-04 22:04:15.447497+00', NULL, '2026-12-04 23:04:15.447497+00');
INSERT INTO public.throttles VALUES ('addr:127.0.0.1', 1, '2026-12-04 22:04:15.029357+00', NULL, '2026-12-04 23:04:15.029357+00');


--
-- Data for Name: tokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tokens VALUES ('c11fde323450494b6d62d98cee50d76ba4937ce9e2644cf4a10e70b72bd26eb8', '6greK9dkx7uzRdNGAK9r', 'access', 'f7yoQ87PZoumBYW10M9c', 'dS0lxgLZmcnvQB2YxEQZ', '6ba81839e8f215b16bcbae48', '670643ce5c150005db0fe04f', 'user', 'oauth', '2026-12-04 22:04:15.171177+00', '2026-12-18 22:04:15.171177+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('046fdffa4401c0c4e85278b42f40396c448c13ba6e8810fb89f8493e7dfef381', 'dS0lxgLZmcnvQB2YxEQZ', 'refresh', 'f7yoQ87PZoumBYW10M9c', NULL, '6ba81839e8f215b16bcbae48', '670643ce5c150005db0fe04f', 'user', 'oauth', '2026-12-04 22:04:15.171177+00', '2027-01-03 22:04:15.171177+00', '2026-12-04 22:04:15.177168+00', '2026-12-04 22:04:15.177168+00', NULL);
INSERT INTO public.tokens VALUES ('f0db059279df66b77bd74a9255d9b4d9ffcd2a482101f874539af1cda19e31a8', 'bdEfa4unU4YdeOWU1BaQ', 'refresh', 'f7yoQ87PZoumBYW10M9c', 'dS0lxgLZmcnvQB2YxEQZ', '6ba81839e8f215b16bcbae48', '670643ce5c150005db0fe04f', 'user', 'oauth', '2026-12-04 22:04:15.177168+00', '2027-01-03 22:04:15.171177+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('e60c593f66f3e746af2e70eb81f5fa0131e5823db5d5f913bb7cda37023703b2', 'T--ndI8Sr1WfUCxTdFAg', 'access', 'uLMrIWg2mRC0TDmG8m7w', 'Wbx8NxDVvslN_lCwvT_n', 'b33ddaf5d1e7c7a20c07441f', '670643ce5c150005db0fe04f', 'openid profile email phone offline_access', 'oidc', '2026-12-04 22:04:15.28309+00', '2026-12-05 00:04:15.28309+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('06ed56bd4f8a6cd1ff443e2bb6d5ebc0fa307ab8a10e51fcc5c2c8e4830c55aa', 'Wbx8NxDVvslN_lCwvT_n', 'refresh', 'uLMrIWg2mRC0TDmG8m7w', NULL, 'b33ddaf5d1e7c7a20c07441f', '670643ce5c150005db0fe04f', 'openid profile email phone offline_access', 'oidc', '2026-12-04 22:04:15.28309+00', '2027-01-03 22:04:15.28309+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('7096c8258d844e3423056d37845ccfab645b1d56bf5a1c513b1d0820a0233942', 'CdFmkwc3411KJys_Tgk4', 'access', 'opfdBlOky8Y41UhQajsa', 'eUyKanDVswqMPYqvkeWG', 'a155ecc4b8d5e47ae5efc732', '38168ff1b783f9afb7ced403', 'openid profile offline_access', 'oidc', '2026-12-04 22:04:15.382023+00', '2026-12-05 00:04:15.382023+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('f80fa2e5b1a762dcfd15aff5cf5b219b5fc29a2cdaf23158cc0deae7d11715e8', 'eUyKanDVswqMPYqvkeWG', 'refresh', 'opfdBlOky8Y41UhQajsa', NULL, 'a155ecc4b8d5e47ae5efc732', '38168ff1b783f9afb7ced403', 'openid profile offline_access', 'oidc', '2026-12-04 22:04:15.382023+00', '2027-03-04 22:04:15.382023+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('2579ca3ddd91b4247063343324e5e43b48bcf4d8b8e68d541aef60eb26c56c29', 'QheDnNk8UOlLcYDkEeqQ', 'access', 'ySuF8otDxU97fG4PsljL', NULL, 'b0dbc9c93ac9d5fa11b40aef', '47f782d82580d0d43dcb3a02', 'openid profile', 'oidc', '2026-12-04 22:04:15.44292+00', '2026-12-18 22:04:15.44292+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('186516056ae29703adc81ee31cf97e15a95b966cf9087de5af00a352f029a095', 'Y0l39dxTy-WO38zQn0O8', 'access', 'YQE4ARKubwYURmyu441A', 'puvhkuMNNek5o_YM5BiO', '4d2204da8936366f13a9fa7e', 'e10daabd81208fc687eaaa59', 'user', 'oauth', '2026-12-04 22:04:15.481936+00', '2026-12-18 22:04:15.481936+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('4d2f95ca73ab2549e56ba533cbb6517f8921cab8cc71f9956ef380975d766bf8', 'puvhkuMNNek5o_YM5BiO', 'refresh', 'YQE4ARKubwYURmyu441A', NULL, '4d2204da8936366f13a9fa7e', 'e10daabd81208fc687eaaa59', 'user', 'oauth', '2026-12-04 22:04:15.481936+00', '2027-01-03 22:04:15.481936+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('54e7ef7763ddfe61610c90cf29047b10026055cb6953d6ecb14ca5fa5a7934bd', 'uRib3cJVN614Bdqw3_OQ', 'access', 'gyYVYdcTtXHalDu0Q3HB', '49NAPr1hlMDVQv7UM30q', '92d60468f0e19df9e3be2598', '0cb6202635279965af38e131', 'user', 'oauth', '2026-12-04 22:04:15.532715+00', '2026-12-18 22:04:15.532715+00', '2026-12-04 22:04:15.535268+00', NULL, NULL);
INSERT INTO public.tokens VALUES ('17e59a2f3870688fd9aa38759ae9307c869fe24a59d22c277e3efdbf863244f0', '49NAPr1hlMDVQv7UM30q', 'refresh', 'gyYVYdcTtXHalDu0Q3HB', NULL, '92d60468f0e19df9e3be2598', '0cb6202635279965af38e131', 'user', 'oauth', '2026-12-04 22:04:15.532715+00', '2027-01-03 22:04:15.532715+00', '2026-12-04 22:04:15.535268+00', NULL, NULL);
INSERT INTO public.tokens VALUES ('2ad69e43c0739446e5ca3687a3487d2c35dc336344feb7a056260413936cfc82', '0iStYyxjpVVzYEJLZPDV', 'refresh', 'vxQT0e7yMLrx-in0UMMK', NULL, '92d60468f0e19df9e3be2598', '670643ce5c150005db0fe04f', 'user', 'oauth', '2026-12-04 22:04:15.541396+00', '2027-01-03 22:04:15.541396+00', '2026-12-04 22:04:15.547305+00', NULL, NULL);
INSERT INTO public.tokens VALUES ('e70cbf5d5e2289b76d20932524a1dac2c4955b1b51512709e0336fd19f725b45', 'O_EA2D66y5dsFMlq9RqM', 'access', 'vxQT0e7yMLrx-in0UMMK', '0iStYyxjpVVzYEJLZPDV', '92d60468f0e19df9e3be2598', '670643ce5c150005db0fe04f', 'user', 'oauth', '2026-12-04 22:04:15.541396+00', '2026-12-18 22:04:15.541396+00', '2026-12-04 22:04:15.547305+00', NULL, NULL);
INSERT INTO public.tokens VALUES ('dc10c4419c1dd15d2c609844c9613d2a2aa3feb618877821bc4b860804027264', 'hCK1_uaSvy2QgRv2SZsY', 'access', 'v1hADy8A38mFgttmHd4L', NULL, '6ba81839e8f215b16bcbae48', '', 'reports:read', 'oauth', '2026-12-04 22:04:15.549903+00', '2026-12-18 22:04:15.549903+00', NULL, NULL, NULL);
INSERT INTO public.tokens VALUES ('6f19fac1950144caef5948057aae9eec694f9b3054343b092ec269e083c0b3e5', 'PCydsXph0E0NeJO8GcYK', 'access', 'jquVSs8BUcnK0ce78Z7T', NULL, '6ba81839e8f215b16bcbae48', '', 'reports:read reports:write', 'oauth', '2026-12-04 22:04:15.550996+00', '2026-12-18 22:04:15.550996+00', '2026-12-04 22:04:15.552281+00', NULL, NULL);
INSERT INTO public.tokens VALUES ('4db38fc2dd1a65c7e904bd2cab6bb8206ded8a2c28cf6a6532861033c9fff6a5', 'mPuvdmiKiUTjWldDwLle', 'access', 'f7yoQ87PZoumBYW10M9c', 'bdEfa4unU4YdeOWU1BaQ', '6ba81839e8f215b16bcbae48', '670643ce5c150005db0fe04f', 'user', 'oauth', '2026-12-04 22:04:15.177168+00', '2026-12-18 22:04:15.177168+00', NULL, NULL, '2026-12-04 22:04:15.55924+00');


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.users OVERRIDING SYSTEM VALUE VALUES (1, '670643ce5c150005db0fe04f', 'alice', 'alice@example.com', 'alice@example.com', false, '+8613800000001', false, '$argon2id$v=19$m=19456,t=2,p=1$iidTvsjLAJehmigoy61j/Q$sSkFhpkylLMIoXw3KQrD0FraVem4JxBQd3GWng9TDds', '', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', '2026-12-04 22:04:14.52859+00', '2026-12-04 22:04:14.52859+00', 'Activated', NULL, '{}', 'adminCreated', 2, '2026-12-04 22:04:15.258628+00', '127.0.0.1', 'alice', '');
INSERT INTO public.users OVERRIDING SYSTEM VALUE VALUES (3, '38168ff1b783f9afb7ced403', 'erin', 'erin@example.com', 'erin@example.com', true, '+8613800000005', true, '$argon2id$v=19$m=19456,t=2,p=1$I/F0KYSidjaUU2PLxC7exw$tzzl1aIC/sTyK/9PE73WKZh66R+kLunY+VEWDWbEb+4', '李 Erin', 'Erin', 'Li', 'Q', 'erin', 'erin.li', 'https://erin.example/', 'https://erin.example/me.png', 'https://blog.erin.example/', 'F', '1990-05-01', 'Asia/Shanghai', 'zh-CN', '{"formatted": "1 Century Avenue, Shanghai"}', '2026-12-04 22:04:14.92067+00', '2026-12-04 22:04:14.92067+00', 'Activated', 'hr-0005', '{"level": 3, "department": "R&D"}', 'adminCreated', 1, '2026-12-04 22:04:15.365153+00', '127.0.0.1', 'erin', '');
INSERT INTO public.users OVERRIDING SYSTEM VALUE VALUES (2, '47f782d82580d0d43dcb3a02', 'bob', 'bob@example.com', 'bob@example.com', false, NULL, false, '$argon2id$v=19$m=19456,t=2,p=1$DovzR33P7pgx32FNLxlpAw$pVbJtcDc9I6UEK9SxAQLbpKiISGGozqjsTiaf7VYZjM', '', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', '2026-12-04 22:04:14.769455+00', '2026-12-04 22:04:14.769455+00', 'Activated', NULL, '{}', 'adminCreated', 1, '2026-12-04 22:04:15.430876+00', '127.0.0.1', 'bob', '');
INSERT INTO public.users OVERRIDING SYSTEM VALUE VALUES (5, 'e10daabd81208fc687eaaa59', 'carol', 'carol@example.com', 'carol@example.com', false, NULL, false, '$argon2id$v=19$m=19456,t=2,p=1$DARe2VJBocu6zEylfPmdQw$HBUJUaiG+R3O4vgJS2z0RFHlnYpPvMoUjJt0cN7BDds', '', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', '2026-12-04 22:04:15.476503+00', '2026-12-04 22:04:15.476503+00', 'Activated', NULL, '{}', 'register', 0, NULL, '', 'carol', '');
INSERT INTO public.users OVERRIDING SYSTEM VALUE VALUES (4, '0cb6202635279965af38e131', 'dave', NULL, NULL, false, NULL, false, '$argon2id$v=19$m=19456,t=2,p=1$gbpKWGGCNyNiJiXfeP+w1Q$Zy05YlA/dG9yUpkl9laTL0O3Cmtf2/yUH88UuPGEkjw', 'Dave', '', '', '', '', '', '', '', '', 'U', '', '', '', '{}', '2026-12-04 22:04:15.021803+00', '2026-12-04 22:04:15.535268+00', 'Suspended', 'hr-0004', '{}', 'adminCreated', 1, '2026-12-04 22:04:15.528961+00', '127.0.0.1', 'dave', '');


--
-- Name: applications_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.applications_seq_seq', 6, true);


--
-- Name: audit_events_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_events_seq_seq', 19, true);


--
-- Name: login_history_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.login_history_seq_seq', 5, true);


--
-- Name: users_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.users_seq_seq', 5, true);


--
-- Name: access_keys access_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_keys
    ADD CONSTRAINT access_keys_pkey PRIMARY KEY (singleton);


--
-- Name: applications applications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.applications
    ADD CONSTRAINT applications_pkey PRIMARY KEY (id);


--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (seq);


--
-- Name: auth_codes auth_codes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auth_codes
    ADD CONSTRAINT auth_codes_pkey PRIMARY KEY (hash);


--
-- Name: consents consents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_pkey PRIMARY KEY (user_id, client_id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id_hash);


--
-- Name: signature_nonces signature_nonces_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.signature_nonces
    ADD CONSTRAINT signature_nonces_pkey PRIMARY KEY (nonce);


--
-- Name: signing_keys signing_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.signing_keys
    ADD CONSTRAINT signing_keys_pkey PRIMARY KEY (id);


--
-- Name: throttles throttles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.throttles
    ADD CONSTRAINT throttles_pkey PRIMARY KEY (key);


--
-- Name: tokens tokens_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_id_key UNIQUE (id);


--
-- Name: tokens tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (hash);


--
-- Name: users users_email_lower_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_lower_key UNIQUE (email_lower);


--
-- Name: users users_phone_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_phone_key UNIQUE (phone);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: applications_app_identifier; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX applications_app_identifier ON public.applications USING btree (app_identifier);


--
-- Name: applications_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX applications_created_at ON public.applications USING btree (created_at, seq);


--
-- Name: audit_events_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_time ON public.audit_events USING btree ("time");


--
-- Name: audit_events_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_user ON public.audit_events USING btree (user_id, "time") WHERE (user_id <> ''::text);


--
-- Name: auth_codes_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX auth_codes_expires_at ON public.auth_codes USING btree (expires_at);


--
-- Name: auth_codes_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX auth_codes_user_id ON public.auth_codes USING btree (user_id);


--
-- Name: login_history_user_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_history_user_time ON public.login_history USING btree (user_id, "time");


--
-- Name: sessions_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_expires_at ON public.sessions USING btree (expires_at);


--
-- Name: sessions_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user_id ON public.sessions USING btree (user_id);


--
-- Name: signature_nonces_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX signature_nonces_expires_at ON public.signature_nonces USING btree (expires_at);


--
-- Name: throttles_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX throttles_expires_at ON public.throttles USING btree (expires_at);


--
-- Name: tokens_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tokens_expires_at ON public.tokens USING btree (expires_at);


--
-- Name: tokens_grant_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tokens_grant_id ON public.tokens USING btree (grant_id);


--
-- Name: tokens_parent_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tokens_parent_id ON public.tokens USING btree (parent_id) WHERE (parent_id IS NOT NULL);


--
-- Name: tokens_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tokens_user_id ON public.tokens USING btree (user_id, client_id);


--
-- Name: users_created_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_created_at ON public.users USING btree (created_at, seq);


--
-- Name: users_external_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_external_id ON public.users USING btree (external_id);


--
-- Name: users_updated_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_updated_at ON public.users USING btree (updated_at);


--
-- Name: users_username_key_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_username_key_unique ON public.users USING btree (username_key, username_dup);


--
-- PostgreSQL database dump complete
--


