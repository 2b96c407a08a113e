#ifndef GONGXIANG_COPENSSL_SHIM_H
#define GONGXIANG_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* Function-like macros are not imported into Swift; these wrap the ones GXCrypto needs. */

/* Points *data at a memory BIO's contents (owned by the BIO) and returns their length. */
static inline long gx_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/* Frees memory OpenSSL allocated for the caller (e.g. i2d_* with a NULL output pointer). */
static inline void gx_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

/*
 * Passphrase callback that refuses: with a NULL callback OpenSSL would prompt on the terminal,
 * which would hang an unattended agent on an encrypted key instead of failing.
 */
static inline int gx_pem_no_passphrase(char *buf, int size, int rwflag, void *userdata) {
    (void)buf; (void)size; (void)rwflag; (void)userdata;
    return -1;
}

/*
 * Starts an HMAC-SM3 over `key` on a context from EVP_MAC_CTX_new(EVP_MAC_fetch(NULL, "HMAC", NULL)):
 * OSSL_PARAM arrays are built with macros and pointers that are awkward from Swift.
 */
static inline int gx_hmac_sm3_init(EVP_MAC_CTX *context, const unsigned char *key, size_t length) {
    char digest[] = "SM3";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()
    };
    return EVP_MAC_init(context, key, length, params);
}

#endif
