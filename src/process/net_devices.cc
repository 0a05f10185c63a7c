// Moving network interfaces with rtnetlink; the requests are small enough to build by hand.
#include "process/net_devices.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace ocirun::process {

namespace {

class NetlinkRequest {
  public:
    explicit NetlinkRequest(int index) {
        auto* header = reinterpret_cast<nlmsghdr*>(buffer_);
        header->nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
        header->nlmsg_type = RTM_NEWLINK;
        header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        header->nlmsg_seq = 1;
        auto* info = reinterpret_cast<ifinfomsg*>(NLMSG_DATA(header));
        info->ifi_family = AF_UNSPEC;
        info->ifi_index = index;
    }

    void add_attribute(unsigned short type, const void* data, size_t size) {
        auto* header = reinterpret_cast<nlmsghdr*>(buffer_);
        size_t offset = NLMSG_ALIGN(header->nlmsg_len);
        auto* attribute = reinterpret_cast<rtattr*>(buffer_ + offset);
        attribute->rta_type = type;
        attribute->rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
        std::memcpy(RTA_DATA(attribute), data, size);
        header->nlmsg_len = static_cast<uint32_t>(offset + RTA_ALIGN(attribute->rta_len));
    }

    const char* data() const { return buffer_; }
    size_t size() const { return reinterpret_cast<const nlmsghdr*>(buffer_)->nlmsg_len; }

  private:
    alignas(nlmsghdr) char buffer_[512] = {};
};

// Sends the request and returns the errno of the kernel's acknowledgement (0 on success).
int send_request(const NetlinkRequest& request) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        throw_errno("open rtnetlink socket");
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof(kernel)) < 0) {
        int saved = errno;
        close(fd);
        throw_errno("send rtnetlink request", saved);
    }
    alignas(nlmsghdr) char reply[1024];
    ssize_t count = recv(fd, reply, sizeof(reply), 0);
    int saved = errno;
    close(fd);
    if (count < 0) {
        throw_errno("receive rtnetlink reply", saved);
    }
    auto* header = reinterpret_cast<nlmsghdr*>(reply);
    if (!NLMSG_OK(header, static_cast<unsigned>(count)) || header->nlmsg_type != NLMSG_ERROR) {
        throw_error("unexpected rtnetlink reply");
    }
    return -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(header))->error;
}

}  // namespace

void move_net_devices(const std::map<std::string, spec::NetDevice>& devices, pid_t pid) {
    for (const auto& [host_name, device] : devices) {
        unsigned index = if_nametoindex(host_name.c_str());
        if (index == 0) {
            throw_errno("linux.netDevices: find interface " + quote(host_name));
        }
        NetlinkRequest request(static_cast<int>(index));
        uint32_t target = static_cast<uint32_t>(pid);
        request.add_attribute(IFLA_NET_NS_PID, &target, sizeof(target));
        // The kernel renames the interface as it moves it, so the new name is checked against
        // the container's interfaces, not the host's.
        if (!device.name.empty() && device.name != host_name) {
            request.add_attribute(IFLA_IFNAME, device.name.c_str(), device.name.size() + 1);
        }
        int error = send_request(request);
        if (error != 0) {
            std::string target_name = device.name.empty() ? host_name : device.name;
            throw_errno("linux.netDevices: move interface " + quote(host_name) +
                            " into the container as " + quote(target_name),
                        error);
        }
    }
}

}  // namespace ocirun::process
