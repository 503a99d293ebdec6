"""The public check of a certificate and the fields the public may see."""
