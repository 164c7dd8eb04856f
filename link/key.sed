# The name link/hot.txt gives a function: its symbol without the hash rustc
# appends to a legacy name (17h<16 hex digits>E), without the crate
# disambiguators of a v0 name (Cs<base62>_ becomes C) and without the
# number LTO gives a local copy (.1078), so that the list
# survives edits and new rustc versions. link/profile.sh writes the list
# through this file and link/cc matches symbols through it: one rule for both.
s/17h[0-9a-f]{16}E$//
s/Cs[0-9A-Za-z]*_/C/g
# The number LTO appends to a local copy of a function (write_str.1078),
# which moves with every edit: every copy is one name.
s/\.[0-9]+$//
