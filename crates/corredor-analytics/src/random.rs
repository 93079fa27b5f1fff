//! A small seeded random source for generated data (benchmarks, synthetic corridors in
//! tests): the same seed gives the same numbers on every machine.
//!
//! SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators",
//! OOPSLA) for uniforms, Box–Muller for normals, Knuth's product method for Poisson counts
//! with small means and the normal approximation above 50. Not for anything that must be
//! unpredictable.

/// A seeded SplitMix64 generator.
#[derive(Debug, Clone)]
pub struct SeededRandom(u64);

impl SeededRandom {
    pub fn new(seed: u64) -> SeededRandom {
        SeededRandom(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// A Poisson count: exact for small means, normal approximation above 50.
    pub fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean > 50.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let limit = (-mean).exp();
        let mut product = self.uniform();
        let mut count = 0.0;
        while product > limit {
            product *= self.uniform();
            count += 1.0;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers_and_counts_are_never_negative() {
        let mut a = SeededRandom::new(7);
        let mut b = SeededRandom::new(7);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut random = SeededRandom::new(1);
        let counts: Vec<f64> = (0..2000)
            .map(|i| random.poisson(f64::from(i % 120)))
            .collect();
        assert!(counts
            .iter()
            .all(|count| *count >= 0.0 && count.fract() == 0.0));
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        assert!(
            (mean - 59.5).abs() < 2.0,
            "the mean of the counts follows the means: {mean}"
        );
    }
}
