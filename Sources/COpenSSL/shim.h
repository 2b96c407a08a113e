#ifndef GONGXIANG_COPENSSL_SHIM_H
#define GONGXIANG_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>

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

#endif
