//! Small dense building blocks of the forward pass: `Linear` (PyTorch layout), LayerNorm,
//! activations, on row-major `f32` slices. Products use the packed kernel
//! ([`super::kernel`]).
//! Nothing here spawns threads: callers parallelise over row blocks.

use super::kernel::PackedWeights;

/// A PyTorch `nn.Linear`: `y = x · Wᵀ + b` with `W` given `[out, in]` row-major, kept
/// packed for the register-blocked kernel.
#[derive(Debug, Clone)]
pub struct Linear {
    weight: PackedWeights,
    bias: Vec<f32>,
}

impl Linear {
    /// Packs `[outputs, inputs]` weights and `[outputs]` bias.
    pub fn new(weight: &[f32], bias: Vec<f32>, inputs: usize, outputs: usize) -> Self {
        assert_eq!(bias.len(), outputs, "bias shape");
        Self {
            weight: PackedWeights::new(weight, outputs, inputs),
            bias,
        }
    }

    /// Output width.
    pub fn outputs(&self) -> usize {
        self.weight.outputs()
    }

    /// `y[rows × outputs] = x[rows × inputs] · Wᵀ + b`.
    pub fn forward(&self, x: &[f32], y: &mut [f32]) {
        self.weight.matmul(x, y);
        for row in y.chunks_exact_mut(self.bias.len()) {
            row.iter_mut().zip(&self.bias).for_each(|(y, b)| *y += b);
        }
    }
}

/// LayerNorm over the last dimension (biased variance, as PyTorch).
#[derive(Debug, Clone)]
pub struct LayerNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub eps: f32,
}

impl LayerNorm {
    /// Normalises every row of `x` in place.
    pub fn forward(&self, x: &mut [f32]) {
        let d = self.gamma.len();
        for row in x.chunks_exact_mut(d) {
            let mean = row.iter().sum::<f32>() / d as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d as f32;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = (*v - mean) * inv * g + b;
            }
        }
    }
}

/// Hidden activations of BERT-family configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `gelu`: `x · Φ(x)` with the error function (as PyTorch evaluates it, see
    /// [`super::vmath`]).
    Gelu,
    /// `gelu_new` / `gelu_pytorch_tanh`: the tanh approximation.
    GeluTanh,
    /// `relu`.
    Relu,
}

impl Activation {
    /// Parses a Hugging Face activation name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "gelu" => Some(Self::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Some(Self::GeluTanh),
            "relu" => Some(Self::Relu),
            _ => None,
        }
    }

    /// Applies the activation in place.
    pub fn apply(self, x: &mut [f32]) {
        match self {
            Self::Gelu => super::vmath::gelu(x),
            Self::GeluTanh => {
                const C: f32 = 0.797_884_6; // sqrt(2/pi)
                x.iter_mut().for_each(|v| {
                    *v = 0.5 * *v * (1.0 + (C * (*v + 0.044_715 * *v * *v * *v)).tanh())
                })
            }
            Self::Relu => x.iter_mut().for_each(|v| *v = v.max(0.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_matches_hand_computation() {
        // 2 outputs × 3 inputs
        let lin = Linear::new(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], vec![0.5, -1.0], 3, 2);
        let x = [1.0, 0.0, -1.0, 2.0, 1.0, 0.0];
        let mut y = [0.0; 4];
        lin.forward(&x, &mut y);
        assert_eq!(
            y,
            [
                1.0 - 3.0 + 0.5,
                4.0 - 6.0 - 1.0,
                2.0 + 2.0 + 0.5,
                8.0 + 5.0 - 1.0
            ]
        );
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let ln = LayerNorm {
            gamma: vec![1.0; 4],
            beta: vec![0.0; 4],
            eps: 1e-12,
        };
        let mut x = [1.0, 2.0, 3.0, 4.0];
        ln.forward(&mut x);
        let mean: f32 = x.iter().sum::<f32>() / 4.0;
        let var: f32 = x.iter().map(|v| v * v).sum::<f32>() / 4.0;
        assert!(mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5);
    }

    #[test]
    fn activations() {
        let mut x = [-1.0f32, 0.0, 1.0];
        Activation::Gelu.apply(&mut x);
        assert!(
            (x[0] + 0.158_655_3).abs() < 1e-6 && x[1] == 0.0 && (x[2] - 0.841_344_7).abs() < 1e-6
        );
        let mut x = [-1.0f32, 2.0];
        Activation::Relu.apply(&mut x);
        assert_eq!(x, [0.0, 2.0]);
        assert_eq!(
            Activation::from_name("gelu_new"),
            Some(Activation::GeluTanh)
        );
        assert_eq!(Activation::from_name("swish"), None);
    }
}
