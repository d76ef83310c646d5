//! Owned wrappers around aws-lc's `BIGNUM`, `BN_CTX` and `BN_MONT_CTX`.
//!
//! Every value is freed with `BN_clear_free` (zeroized). None of these types
//! is `Send`/`Sync` (raw pointers); they live only inside one call, so the
//! types of the parent module (which hold plain bytes) stay `Send + Sync`.
//!
//! Constant time: exponentiations use `BN_mod_exp_mont_consttime`, which
//! works over the exponent's whole limb width; products use Montgomery
//! multiplication and sums `BN_mod_{add,sub}_quick` (constant-time for
//! reduced inputs). Only public values (A, B) go through `BN_nnmod`.
//!
//! This is the crate's only `unsafe` code: the crate root denies
//! `unsafe_code` and this module alone allows it. Every block carries a
//! SAFETY note; every return code is checked.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use std::os::raw::c_int;
use std::ptr::NonNull;

use aws_lc_sys as ffi;
use zeroize::Zeroizing;

use super::{G, N_HEX, SignedInt, SrpError};

fn check(ret: c_int) -> Result<(), SrpError> {
    if ret == 1 {
        Ok(())
    } else {
        Err(SrpError::Arithmetic)
    }
}

/// An owned `BIGNUM`.
pub(super) struct Num(NonNull<ffi::BIGNUM>);

impl Drop for Num {
    fn drop(&mut self) {
        // SAFETY: we own the pointer, allocated by BN_new, freed once.
        unsafe { ffi::BN_clear_free(self.0.as_ptr()) }
    }
}

impl Num {
    fn new() -> Result<Self, SrpError> {
        // SAFETY: BN_new has no preconditions; null means allocation failure.
        NonNull::new(unsafe { ffi::BN_new() })
            .map(Num)
            .ok_or(SrpError::Arithmetic)
    }

    fn ptr(&self) -> *mut ffi::BIGNUM {
        self.0.as_ptr()
    }

    /// A non-negative integer from big-endian bytes.
    pub(super) fn from_be_bytes(bytes: &[u8]) -> Result<Self, SrpError> {
        let n = Self::new()?;
        // SAFETY: `bytes` is valid for `bytes.len()` reads; `n` is a live BIGNUM
        // that BN_bin2bn overwrites (it returns it, or null on failure).
        let ret = unsafe { ffi::BN_bin2bn(bytes.as_ptr(), bytes.len(), n.ptr()) };
        if ret.is_null() {
            return Err(SrpError::Arithmetic);
        }
        Ok(n)
    }

    pub(super) fn set_negative(&mut self, negative: bool) {
        // SAFETY: live BIGNUM; BN_set_negative ignores the sign of zero.
        unsafe { ffi::BN_set_negative(self.ptr(), c_int::from(negative)) }
    }

    /// Minimal big-endian magnitude (empty for zero).
    pub(super) fn to_be_bytes(&self) -> Result<Zeroizing<Vec<u8>>, SrpError> {
        // SAFETY: live BIGNUM.
        let len = unsafe { ffi::BN_num_bytes(self.ptr()) };
        let len = usize::try_from(len).map_err(|_| SrpError::Arithmetic)?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        // SAFETY: `out` is valid for `len` writes; BN_bn2bin_padded fails
        // (returns 0) rather than overflow if the number does not fit.
        check(unsafe { ffi::BN_bn2bin_padded(out.as_mut_ptr(), out.len(), self.ptr()) })?;
        Ok(out)
    }

    pub(super) fn is_zero(&self) -> bool {
        // SAFETY: live BIGNUM.
        unsafe { ffi::BN_is_zero(self.ptr()) == 1 }
    }
}

/// a + u·x over the integers (the exponent of S).
pub(super) fn mul_add(a: &Num, u: &Num, x: &Num) -> Result<Num, SrpError> {
    let ctx = Ctx::new()?;
    let ux = Num::new()?;
    let sum = Num::new()?;
    // SAFETY: all BIGNUMs live and distinct from the outputs; ctx live.
    unsafe {
        check(ffi::BN_mul(ux.ptr(), u.ptr(), x.ptr(), ctx.ptr()))?;
        check(ffi::BN_add(sum.ptr(), a.ptr(), ux.ptr()))?;
    }
    Ok(sum)
}

/// An owned `BN_CTX` (scratch space).
struct Ctx(NonNull<ffi::BN_CTX>);

impl Ctx {
    fn new() -> Result<Self, SrpError> {
        // SAFETY: no preconditions; null means allocation failure.
        NonNull::new(unsafe { ffi::BN_CTX_new() })
            .map(Ctx)
            .ok_or(SrpError::Arithmetic)
    }
    fn ptr(&self) -> *mut ffi::BN_CTX {
        self.0.as_ptr()
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { ffi::BN_CTX_free(self.0.as_ptr()) }
    }
}

/// Arithmetic modulo N with its Montgomery context.
pub(super) struct Group {
    n: Num,
    g: Num,
    mont: NonNull<ffi::BN_MONT_CTX>,
    ctx: Ctx,
}

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: owned, created by BN_MONT_CTX_new_for_modulus, freed once.
        unsafe { ffi::BN_MONT_CTX_free(self.mont.as_ptr()) }
    }
}

impl Group {
    pub(super) fn new() -> Result<Self, SrpError> {
        let n = SignedInt::parse_hex("N", N_HEX)?.to_num()?;
        let g = Num::from_be_bytes(&[G])?;
        let ctx = Ctx::new()?;
        // SAFETY: n is a live, odd, positive BIGNUM; ctx live.
        let mont = NonNull::new(unsafe { ffi::BN_MONT_CTX_new_for_modulus(n.ptr(), ctx.ptr()) })
            .ok_or(SrpError::Arithmetic)?;
        Ok(Self { n, g, mont, ctx })
    }

    pub(super) fn generator(&self) -> &Num {
        &self.g
    }

    /// k = H(pad(N) ‖ pad(g)) (g unpadded: Cognito, not RFC 5054).
    pub(super) fn k(&self) -> Result<Num, SrpError> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(super::pad_unsigned(&self.n.to_be_bytes()?).as_slice());
        h.update([G]);
        Num::from_be_bytes(&h.finalize())
    }

    /// 0 ≤ a < N?
    #[cfg(any(test, feature = "test-util"))]
    pub(super) fn is_reduced(&self, a: &Num) -> bool {
        // SAFETY: live BIGNUMs.
        unsafe { ffi::BN_is_negative(a.ptr()) == 0 && ffi::BN_ucmp(a.ptr(), self.n.ptr()) < 0 }
    }

    /// a mod N in [0, N), for PUBLIC values (A, B) only: not constant time.
    pub(super) fn reduce(&self, a: &Num) -> Result<Num, SrpError> {
        let r = Num::new()?;
        // SAFETY: live BIGNUMs, r distinct from inputs.
        check(unsafe { ffi::BN_nnmod(r.ptr(), a.ptr(), self.n.ptr(), self.ctx.ptr()) })?;
        Ok(r)
    }

    /// base^exp mod N, constant time in `exp` (beyond its limb count) and
    /// in `base`. `base` must be reduced.
    pub(super) fn pow(&self, base: &Num, exp: &Num) -> Result<Num, SrpError> {
        let r = Num::new()?;
        // SAFETY: live BIGNUMs and contexts; r distinct from inputs. aws-lc
        // checks base < N and returns 0 otherwise.
        check(unsafe {
            ffi::BN_mod_exp_mont_consttime(
                r.ptr(),
                base.ptr(),
                exp.ptr(),
                self.n.ptr(),
                self.ctx.ptr(),
                self.mont.as_ptr(),
            )
        })?;
        Ok(r)
    }

    /// a·b mod N for reduced a, b (Montgomery: a·R, then REDC(a·R·b) = a·b).
    pub(super) fn mul(&self, a: &Num, b: &Num) -> Result<Num, SrpError> {
        let a_mont = Num::new()?;
        let r = Num::new()?;
        // SAFETY: live BIGNUMs and contexts; outputs distinct from inputs.
        unsafe {
            check(ffi::BN_to_montgomery(
                a_mont.ptr(),
                a.ptr(),
                self.mont.as_ptr(),
                self.ctx.ptr(),
            ))?;
            check(ffi::BN_mod_mul_montgomery(
                r.ptr(),
                a_mont.ptr(),
                b.ptr(),
                self.mont.as_ptr(),
                self.ctx.ptr(),
            ))?;
        }
        Ok(r)
    }

    /// (a + b) mod N for reduced a, b.
    #[cfg(any(test, feature = "test-util"))]
    pub(super) fn add(&self, a: &Num, b: &Num) -> Result<Num, SrpError> {
        let r = Num::new()?;
        // SAFETY: live BIGNUMs, r distinct from inputs.
        check(unsafe { ffi::BN_mod_add_quick(r.ptr(), a.ptr(), b.ptr(), self.n.ptr()) })?;
        Ok(r)
    }

    /// (a − b) mod N for reduced a, b.
    pub(super) fn sub(&self, a: &Num, b: &Num) -> Result<Num, SrpError> {
        let r = Num::new()?;
        // SAFETY: live BIGNUMs, r distinct from inputs.
        check(unsafe { ffi::BN_mod_sub_quick(r.ptr(), a.ptr(), b.ptr(), self.n.ptr()) })?;
        Ok(r)
    }
}
