"""`sealbox doctor`: checks an instance's set-up and names each problem with its fix."""
