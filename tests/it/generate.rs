use hookcheck::{generate::Generator, EventName, Options, Profile};

use crate::util::catalog;

#[test]
fn smoke_compile() {
    for profile in Profile::ALL {
        let g = Generator::new(catalog(), profile).expect("compile");
        for e in EventName::ALL {
            eprintln!("{profile} {e}: {} alts", g.node(e).alts.len());
        }
    }
}

#[test]
fn smoke_generated_payloads_validate() {
    for profile in Profile::ALL {
        let g = Generator::new(catalog(), profile).expect("compile");
        for e in EventName::ALL {
            eprintln!("gen {profile} {e}");
            for v in g.values(e, 1, 50).expect("values") {
                let r = catalog().validate_value(
                    &v,
                    &Options {
                        profile,
                        ..Options::default()
                    },
                );
                assert!(
                    r.conforms(false),
                    "{profile} {e}: {:#?}\n{}",
                    r.errors().collect::<Vec<_>>(),
                    serde_json::to_string_pretty(&v).unwrap()
                );
            }
        }
    }
}
