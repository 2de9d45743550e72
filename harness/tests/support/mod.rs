//! Shared support for the broken-peer and third-party-peer tests: raw frames, a broken echo
//! peer with switches, spawned third-party peers, runs of the catalogue, golden verdict
//! tables. Each test binary uses a different subset.
#![allow(dead_code)]

pub mod broken;
pub mod frames;
pub mod peers;
pub mod run;
pub mod verdicts;
