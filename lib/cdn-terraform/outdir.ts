/** Where `npm run cdn:synth` writes its Terraform JSON, relative to the repository root (no cdktf import here). */
export const DEFAULT_TERRAFORM_OUTDIR = 'cdktf.out';
