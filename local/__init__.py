"""The local runtime: the deployed topology on a laptop (moto for AWS, no Docker). Never deployed."""
