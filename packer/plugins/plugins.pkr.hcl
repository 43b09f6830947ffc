# Plugin requirement for Packer >= 1.7 (`packer init`), kept out of the template
# directory because Packer 1.6.6 rejects `required_plugins`. icecfg puts this file
# next to icecast.pkr.hcl for the build only when the installed Packer is 1.7 or newer.
# From Packer 1.8.7 on, the DigitalOcean builder is not bundled any more and must come
# from this plugin.
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    digitalocean = {
      source  = "github.com/digitalocean/digitalocean"
      version = ">= 1.4.0"
    }
  }
}
