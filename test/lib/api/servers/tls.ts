/**
 * A self-signed certificate for `feed.test` (and its key), made for the tests alone with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 36500
 * -subj /CN=feed.test -addext subjectAltName=DNS:feed.test`. Nothing trusts it.
 */
export const FEED_TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUAedVV7LyLCwVR6stjDjzBXmHZQ0wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJZmVlZC50ZXN0MCAXDTI2MTIwMjEyNTQxMVoYDzIxMjYxMTA4
MTI1NDExWjAUMRIwEAYDVQQDDAlmZWVkLnRlc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATrEAB8FY6k0bF0tT2PkknBo0obhmYG5n4MasVMTQpQzg8e/YTGbyDi
JoPs1K1sY6ALNaF2kXk3D/Fcs7+qOpUJo2kwZzAdBgNVHQ4EFgQUV0kcVOiXwLmK
1TkSRdN8KzvjXuMwHwYDVR0jBBgwFoAUV0kcVOiXwLmK1TkSRdN8KzvjXuMwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglmZWVkLnRlc3QwCgYIKoZIzj0EAwID
SAAwRQIhALmYfwCzGI7Y19Gz1gT6DLjn3z0QnmkVgcuRV0/ErN5KAiAmiLJPoNP/
JM1Usry70rfq55HIkZcK0VDlbzDLqI05hg==
-----END CERTIFICATE-----
`;

export const FEED_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnsy+5UXIQnZjDeWw
jd+y/xhalDKP9/EI1OxZjy6zY2ihRANCAATrEAB8FY6k0bF0tT2PkknBo0obhmYG
5n4MasVMTQpQzg8e/YTGbyDiJoPs1K1sY6ALNaF2kXk3D/Fcs7+qOpUJ
-----END PRIVATE KEY-----
`;
