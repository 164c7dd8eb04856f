//! The `healthprobe` binary: the command line is the library's (its `cli`
//! feature, in `src/cli/`); the binary adds the allocator.
#![deny(unsafe_code)]

// A global allocator is unsafe code by nature; it is the one module that is.
#[allow(unsafe_code)]
mod arena;

#[global_allocator]
static ALLOCATOR: arena::Arena = arena::Arena::new();

fn main() -> std::process::ExitCode {
    healthprobe::command_line()
}
