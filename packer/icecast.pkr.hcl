# icecfg bake: a DigitalOcean snapshot running Icecast 2 with a linted icecast.xml.
# The Icecast release (2.4 or 2.5) is ICECFG_RELEASE in the staged settings.env.
#
# icecfg runs this template (`icecfg bake`); every variable reaches Packer through the
# environment (PKR_VAR_<name>), so the API token never appears on a command line.
#
# Compatibility: this file uses only what Debian's packer 1.6.6 (in-tree DigitalOcean
# builder) and current Packer with the digitalocean plugin both accept. The plugin
# requirement for Packer >= 1.7 lives in plugins/plugins.pkr.hcl, outside this
# directory, because 1.6.6 rejects a `required_plugins` block; icecfg adds it to the
# build only when the installed Packer understands it.

variable "api_token" {
  type        = string
  sensitive   = true
  description = "DigitalOcean API token. Set it only through the environment: PKR_VAR_api_token."
}

variable "api_url" {
  type        = string
  default     = "https://api.digitalocean.com"
  description = "API host root, without /v2 (the client appends it)."
}

variable "region" {
  type    = string
  default = "fra1"
}

variable "size" {
  type    = string
  default = "s-1vcpu-1gb"
}

variable "image" {
  type        = string
  default     = "debian-12-x64"
  description = "Base image slug (or numeric image id)."
}

variable "snapshot_name" {
  type        = string
  description = "Name of the resulting snapshot: icecfg-<config hash>-<UTC time>."
}

variable "staged_dir" {
  type        = string
  description = "Local directory made by icecfg.bake.stage: the config, its assets and their manifest."
}

variable "output_dir" {
  type        = string
  description = "Local directory that receives manifest.json."
}

variable "ssh_port" {
  type    = number
  default = 22
}

variable "ssh_username" {
  type    = string
  default = "root"
}

variable "ssh_timeout" {
  type    = string
  default = "5m"
}

locals {
  # Where the staged files land on the droplet: root's home is 0700, and the TLS
  # private key is among them. 99-cleanup.sh removes the directory again.
  remote_stage = "/root/icecfg-stage"
  # The package 15-build-icecast-2.5.sh built (empty when it built none), downloaded
  # so that icecfg can reuse it in later bakes (icecfg/bake/package_cache.py).
  built_package = "/root/icecfg-built-package.deb"
}

source "digitalocean" "icecast" {
  api_token     = var.api_token
  api_url       = var.api_url
  region        = var.region
  size          = var.size
  image         = var.image
  snapshot_name = var.snapshot_name
  # The build droplet carries this tag, so one left behind by a crash is easy to find.
  tags = ["icecfg-bake"]
  # snapshot_regions is left out on purpose: packer 1.6.6 polls a wrong URL for transfers.

  communicator             = "ssh"
  ssh_username             = var.ssh_username
  ssh_port                 = var.ssh_port
  ssh_timeout              = var.ssh_timeout
  ssh_file_transfer_method = "sftp"
}

build {
  sources = ["source.digitalocean.icecast"]

  provisioner "shell" {
    inline = ["install -d -m 0700 ${local.remote_stage}"]
  }

  provisioner "file" {
    source      = "${var.staged_dir}/"
    destination = "${local.remote_stage}/"
  }

  provisioner "shell" {
    environment_vars = ["ICECFG_STAGE=${local.remote_stage}", "ICECFG_BUILT=${local.built_package}"]
    scripts = [
      "${path.root}/scripts/10-install-icecast.sh",
      "${path.root}/scripts/15-build-icecast-2.5.sh",
      "${path.root}/scripts/19-check-release.sh",
      "${path.root}/scripts/20-install-config.sh",
      "${path.root}/scripts/30-firewall.sh",
      "${path.root}/scripts/40-enable-services.sh",
    ]
  }

  provisioner "file" {
    direction   = "download"
    source      = local.built_package
    destination = "${var.output_dir}/built-package.deb"
  }

  provisioner "shell" {
    environment_vars = ["ICECFG_STAGE=${local.remote_stage}", "ICECFG_BUILT=${local.built_package}"]
    scripts          = ["${path.root}/scripts/99-cleanup.sh"]
  }

  post-processor "manifest" {
    output     = "${var.output_dir}/manifest.json"
    strip_path = true
    custom_data = {
      snapshot_name = var.snapshot_name
    }
  }
}
