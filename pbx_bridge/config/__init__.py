"""Reading the admins' YAML files into validated core objects, with FILE:LINE errors."""
