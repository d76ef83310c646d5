//! Helpers shared by the integration tests (`mod common;` in each test file).
//!
//! Not every test binary uses every helper.
#![allow(dead_code)]

pub mod canary;
pub mod cli;
pub mod http;
pub mod moto;
